import Basics
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
    private let blocks: Argon2Blocks
    private let decoyLock = NSLock()
    nonisolated(unsafe) private var decoy: String?

    public init(parameters: Parameters = .owasp, maxConcurrent: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.parameters = parameters
        self.slots = DispatchSemaphore(value: max(1, maxConcurrent))
        self.blocks = Argon2Blocks(keptSize: Self.memoryBytes(memoryKiB: parameters.memoryKiB, parallelism: parameters.parallelism))
    }

    public func hash(_ password: String, salt: [UInt8]) -> String {
        var result = Argon2idString(
            memoryKiB: parameters.memoryKiB, iterations: parameters.iterations, parallelism: parameters.parallelism, salt: salt,
            hash: [UInt8](repeating: 0, count: 32))
        let status = run(password, &result)
        precondition(status == ARGON2_OK.rawValue, "Argon2id failed: \(status)")
        return result.encoded
    }

    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let stored = Argon2idString(encoded) else { return false }
        var computed = stored
        computed.hash = [UInt8](repeating: 0, count: stored.hash.count)
        return run(password, &computed) == ARGON2_OK.rawValue && ConstantTime.equals(computed.hash, stored.hash)
    }

    /// Blocks of Argon2 memory unused for `idle` go back to the system; `serve` calls this now and then, so that
    /// a burst of sign-ins leaves no memory behind.
    @discardableResult
    public func releaseIdleMemory(unusedFor idle: Duration) -> Int {
        blocks.releaseIdle(unusedFor: idle)
    }

    /// Computes `result.hash` from the password and `result`'s salt and costs, in one of the kept memory blocks.
    private func run(_ password: String, _ result: inout Argon2idString) -> Int32 {
        var passwordBytes = Array(password.utf8)
        var salt = result.salt
        var output = result.hash
        let size = Self.memoryBytes(memoryKiB: result.memoryKiB, parallelism: result.parallelism)
        slots.wait()
        defer { slots.signal() }
        guard let block = blocks.take(size: size) else { return ARGON2_MEMORY_ALLOCATION_ERROR.rawValue }
        defer { blocks.put(block) }
        appliance_argon2_use_block(block.address.assumingMemoryBound(to: UInt8.self), block.size)
        defer { appliance_argon2_use_block(nil, 0) }
        let status = passwordBytes.withUnsafeMutableBufferPointer { pwd in
            salt.withUnsafeMutableBufferPointer { saltBuffer in
                output.withUnsafeMutableBufferPointer { out in
                    var context = argon2_context(
                        out: out.baseAddress, outlen: UInt32(out.count), pwd: pwd.baseAddress, pwdlen: UInt32(pwd.count),
                        salt: saltBuffer.baseAddress, saltlen: UInt32(saltBuffer.count), secret: nil, secretlen: 0, ad: nil, adlen: 0,
                        t_cost: result.iterations, m_cost: result.memoryKiB, lanes: result.parallelism, threads: result.parallelism,
                        version: ARGON2_VERSION_13.rawValue, allocate_cbk: appliance_argon2_allocate, free_cbk: appliance_argon2_free,
                        flags: 0)  // ARGON2_DEFAULT_FLAGS: keep the password and secret buffers
                    return argon2_ctx(&context, Argon2_id)
                }
            }
        }
        result.hash = output
        return status
    }

    /// The bytes Argon2 asks for: `m` KiB rounded down to whole segments (4 blocks per lane), at least 8 per lane.
    private static func memoryBytes(memoryKiB: UInt32, parallelism: UInt32) -> Int {
        let lanes = Int(max(1, parallelism))
        let blocks = max(Int(memoryKiB), 8 * lanes)
        return blocks / (4 * lanes) * (4 * lanes) * 1024
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
}
