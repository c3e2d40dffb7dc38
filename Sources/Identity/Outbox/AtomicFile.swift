import Basics
import Cryptography
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file transports' way of writing one message: to a temporary file, synced, then renamed, so a reader never
/// sees half a message and writing the same name again replaces the file instead of adding a second one.
enum AtomicFile {
    /// Nil when written, else the reason (for the outbox's log); `kind` names the file in that reason.
    static func store(_ bytes: [UInt8], directory: String, name: String, kind: String) -> String? {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return "cannot create \(kind) directory"
        }
        let finalPath = directory + "/" + name
        let temporaryPath = directory + "/." + name + ".\(getpid()).\(sequence.next()).tmp"
        if let failure = writeDurably(bytes, to: temporaryPath, kind: kind) {
            unlink(temporaryPath)
            return failure
        }
        guard rename(temporaryPath, finalPath) == 0 else {
            unlink(temporaryPath)
            return "cannot rename \(kind) file (errno \(errno))"
        }
        return nil
    }

    /// A message id kept to safe file-name characters; when anything had to be changed, a hash of the original id
    /// is appended so two different ids can never share a file.
    static func safeName(_ messageID: String) -> String {
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
        return base
    }

    private static let sequence = TemporaryNameSequence()

    private static func writeDurably(_ bytes: [UInt8], to path: String, kind: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o600)
        guard fd >= 0 else { return "cannot create \(kind) file (errno \(errno))" }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return "cannot write \(kind) file (errno \(errno))"
            }
            written += count
        }
        return fsync(fd) == 0 ? nil : "cannot sync \(kind) file (errno \(errno))"
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
