import Foundation

/// Runs a local program (a GSM modem's tool, say) with the number and the text as its two arguments, without a
/// shell: exit 0 is sent, any other exit and a timeout are retried.
public struct CommandSMSTransport: SMSTransport {
    public let program: String
    public let timeout: TimeInterval

    public init(program: String, timeout: TimeInterval = 30) {
        self.program = program
        self.timeout = timeout
    }

    public func send(_ message: OutgoingSMS) -> MailDeliveryResult {
        // The number is E.164 and never starts with "-", so a program cannot mistake it for an option.
        guard message.to.hasPrefix("+") else { return .permanentFailure("invalid number") }
        switch Subprocess.run(program: program, arguments: [message.to, message.text], input: [], timeout: timeout) {
        case .exited(0): return .delivered
        case .exited(let status): return .temporaryFailure("SMS program exit \(status)")
        case .signalled(let signal): return .temporaryFailure("SMS program killed by signal \(signal)")
        case .timedOut: return .temporaryFailure("SMS program timed out after \(Int(timeout)) s")
        case .failedToStart(let code): return .temporaryFailure("cannot start SMS program (errno \(code))")
        case .statusLost(let code): return .temporaryFailure("SMS program exit status lost (errno \(code))")
        }
    }
}
