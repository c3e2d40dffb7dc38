import Basics
import Cryptography
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes each message as `<message-id>.eml` into a directory (for development and for pickup by
/// another program). Written to a temporary file and renamed, so a reader never sees half a
/// message and delivering the same id again replaces the file instead of adding a second one.
public struct FileMailTransport: MailTransport {
    public let directory: String
    private let sequence = TemporaryNameSequence()

    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(_ message: [UInt8], messageID: String, from: String, to: String) -> MailDeliveryResult {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return .temporaryFailure("cannot create mail directory")
        }
        let name = Self.fileName(for: messageID)
        let finalPath = directory + "/" + name
        let temporaryPath = directory + "/." + name + ".\(getpid()).\(sequence.next()).tmp"
        if let failure = writeDurably(message, to: temporaryPath) {
            unlink(temporaryPath)
            return .temporaryFailure(failure)
        }
        guard rename(temporaryPath, finalPath) == 0 else {
            unlink(temporaryPath)
            return .temporaryFailure("cannot rename mail file (errno \(errno))")
        }
        return .delivered
    }

    /// The message id kept to safe file-name characters; when anything had to be changed, a hash
    /// of the original id is appended so two different ids can never share a file.
    static func fileName(for messageID: String) -> String {
        let allowed = messageID.unicodeScalars.map { scalar -> Character in
            let ok =
                scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "@._+-".unicodeScalars.contains(scalar))
            return ok ? Character(scalar) : "_"
        }
        var base = String(allowed)
        if base.hasPrefix(".") { base = "_" + base.dropFirst() }
        if base != messageID || base.isEmpty || base.count > 150 {
            base = String(base.prefix(150)) + "-" + Hex.encode(Digest.sha256(messageID).prefix(8))
        }
        return base + ".eml"
    }

    private func writeDurably(_ bytes: [UInt8], to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o600)
        guard fd >= 0 else { return "cannot create mail file (errno \(errno))" }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return "cannot write mail file (errno \(errno))"
            }
            written += count
        }
        return fsync(fd) == 0 ? nil : "cannot sync mail file (errno \(errno))"
    }
}

/// Distinguishes concurrent temporary files of one process without reading system randomness.
private final class TemporaryNameSequence: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
