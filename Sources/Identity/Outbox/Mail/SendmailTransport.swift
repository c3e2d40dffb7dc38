import Foundation

/// Hands each message to a local sendmail-compatible program (`-i -f <from> -- <to>`, message on
/// stdin); exit 0 is delivered, EX_TEMPFAIL (75) is temporary, any other exit is permanent.
public struct SendmailTransport: MailTransport {
    public let program: String
    public let timeout: TimeInterval

    public init(program: String, timeout: TimeInterval = 30) {
        self.program = program
        self.timeout = timeout
    }

    public func deliver(_ message: [UInt8], messageID: String, from: String, to: String) -> MailDeliveryResult {
        guard EnvelopeAddress.isValid(from), EnvelopeAddress.isValid(to) else {
            return .permanentFailure("invalid envelope address")
        }
        // A local MTA reads local line endings and turns them back into CRLF itself.
        let input = Self.localLineEndings(message)
        switch Subprocess.run(
            program: program, arguments: ["-i", "-f", from, "--", to], input: input, timeout: timeout)
        {
        case .exited(0): return .delivered
        case .exited(75): return .temporaryFailure("sendmail exit 75 (EX_TEMPFAIL)")
        case .exited(let status): return .permanentFailure("sendmail exit \(status)")
        case .signalled(let signal): return .temporaryFailure("sendmail killed by signal \(signal)")
        case .timedOut: return .temporaryFailure("sendmail timed out after \(Int(timeout)) s")
        case .failedToStart(let code): return .temporaryFailure("cannot start sendmail (errno \(code))")
        case .statusLost(let code): return .temporaryFailure("sendmail exit status lost (errno \(code))")
        }
    }

    static func localLineEndings(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count)
        for (index, byte) in message.enumerated() {
            if byte == 0x0D, index + 1 < message.count, message[index + 1] == 0x0A { continue }
            out.append(byte)
        }
        return out
    }
}
