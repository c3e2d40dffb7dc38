internal import CArgon2
import Foundation

/// Argon2id password hashing in the PHC string format, with OWASP's parameters.
/// Concurrent hashes are bounded so that a burst of sign-ins cannot exhaust memory.
public final class PasswordHasher: Sendable {
    public struct Parameters: Sendable {
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32
        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }
        /// OWASP Password Storage Cheat Sheet: 19 MiB, t=2, p=1.
        public static let owasp = Parameters(memoryKiB: 19 * 1024, iterations: 2, parallelism: 1)
        /// Cheap parameters for unit tests only.
        public static let testing = Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
    }

    private let parameters: Parameters
    private let slots: DispatchSemaphore
    private let decoyLock = NSLock()
    nonisolated(unsafe) private var decoy: String?

    /// Every hash takes `memoryKiB` (19 MiB by default). Left to itself, glibc raises its mmap threshold after the first
    /// such block is freed and keeps later ones in per-thread heaps, so a server's memory only ever grows with its
    /// worker count; a fixed threshold hands each block back to the system when its hash is done. Call once at start.
    public static func returnMemoryAfterEachHash() {
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
    }

    public init(parameters: Parameters = .owasp, maxConcurrent: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.parameters = parameters
        self.slots = DispatchSemaphore(value: max(1, maxConcurrent))
    }

    public func hash(_ password: String, salt: [UInt8]) -> String {
        let bytes = Array(password.utf8)
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        slots.wait()
        defer { slots.signal() }
        let status = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            bytes, bytes.count, salt, salt.count, 32, &encoded, length)
        precondition(status == ARGON2_OK.rawValue, "argon2id_hash_encoded failed: \(status)")
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Spends the time of a real verification without an account to verify against, so that
    /// response times do not reveal which e-mail addresses have accounts.
    public func verifyDecoy(_ password: String) {
        let encoded = decoyLock.withLock {
            if let decoy { return decoy }
            let made = hash("decoy", salt: Array("decoy-salt-16byt".utf8))
            decoy = made
            return made
        }
        _ = verify(password, against: encoded)
    }

    public func verify(_ password: String, against encoded: String) -> Bool {
        let bytes = Array(password.utf8)
        slots.wait()
        defer { slots.signal() }
        return argon2id_verify(encoded, bytes, bytes.count) == ARGON2_OK.rawValue
    }
}
