/// The source of unpredictable bytes; injected so that tests can be deterministic.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A uniformly distributed integer in `0..<upperBound`, by rejection sampling (no modulo bias).
    public func uniform(_ upperBound: Int) -> Int {
        precondition(upperBound > 0)
        let bound = UInt32(upperBound)
        let limit = UInt32.max - UInt32.max % bound
        while true {
            let b = bytes(4)
            let value = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            if value < limit { return Int(value % bound) }
        }
    }

    /// A string of `length` characters drawn uniformly from `alphabet`.
    public func string(length: Int, alphabet: [Character]) -> String {
        String((0..<length).map { _ in alphabet[uniform(alphabet.count)] })
    }

    /// A URL-safe token carrying `byteCount` random bytes.
    public func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }
}
