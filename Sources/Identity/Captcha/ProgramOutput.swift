import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What became of a program run: its standard output, or why there is none.
enum ProgramOutput: Equatable {
    case output([UInt8])
    case exitedWithFailure
    case notStarted
    case timedOut

    /// Runs `path` with `arguments`, killing it after `timeout`.
    /// Arguments go straight to the program, so none is ever parsed by a shell.
    static func run(_ path: String, arguments: [String], timeout: Duration) -> ProgramOutput {
        guard FileManager.default.isExecutableFile(atPath: path) else { return .notStarted }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { return .notStarted }

        // Read while the program writes: a WAV is larger than the pipe's buffer.
        let output = Collected()
        let reader = pipe.fileHandleForReading
        DispatchQueue.global().async { output.finish(reader.readDataToEndOfFile()) }

        let deadline = DispatchTime.now() + timeout.seconds
        guard exited.wait(timeout: deadline) == .success else {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            return .timedOut
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { return .exitedWithFailure }
        // A child the program left behind may hold the pipe open: the same deadline bounds the wait.
        guard let bytes = output.wait(until: deadline) else { return .timedOut }
        return .output(bytes)
    }
}

/// Output handed over from the reading thread.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var bytes: [UInt8] = []

    func finish(_ data: Data) {
        lock.withLock { bytes = [UInt8](data) }
        done.signal()
    }

    func wait(until deadline: DispatchTime) -> [UInt8]? {
        guard done.wait(timeout: deadline) == .success else { return nil }
        return lock.withLock { bytes }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
