import Basics
internal import COpenSSL

/// Random bytes from OpenSSL's CSPRNG.
public struct SecureRandom: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let status = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // Continuing without randomness would silently produce guessable secrets.
        precondition(status == 1, "RAND_bytes failed")
        return out
    }
}
