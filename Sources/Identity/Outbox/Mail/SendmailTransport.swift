import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-i", "-f", from, "--", to]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return .temporaryFailure("cannot start sendmail program")
        }
        // A local MTA expects local line endings and turns them back into CRLF itself.
        let body = Self.localLineEndings(message)
        let writer = input.fileHandleForWriting
        Thread.detachNewThread {
            Self.writeIgnoringBrokenPipe(body, to: writer.fileDescriptor)
            try? writer.close()
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            return .temporaryFailure("sendmail timed out after \(Int(timeout)) s")
        }
        if process.terminationReason == .uncaughtSignal {
            return .temporaryFailure("sendmail killed by signal \(process.terminationStatus)")
        }
        switch process.terminationStatus {
        case 0: return .delivered
        case 75: return .temporaryFailure("sendmail exit 75 (EX_TEMPFAIL)")
        case let status: return .permanentFailure("sendmail exit \(status)")
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

    /// A program that exits without reading its input would otherwise raise SIGPIPE and kill the
    /// whole server; blocking it on this short-lived thread turns it into an EPIPE write error,
    /// and the pending signal dies with the thread.
    private static func writeIgnoringBrokenPipe(_ bytes: [UInt8], to fd: Int32) {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            written += count
        }
    }
}
