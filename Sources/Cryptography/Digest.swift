internal import COpenSSL

/// One-shot message digests.
public enum Digest {
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        run(EVP_sha256(), Array(data))
    }

    public static func sha256(_ text: String) -> [UInt8] { sha256(Array(text.utf8)) }

    public static func sha1(_ data: some Collection<UInt8>) -> [UInt8] {
        run(EVP_sha1(), Array(data))
    }

    private static func run(_ type: OpaquePointer?, _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = data.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &out, &length, type, nil)
        }
        precondition(status == 1, "EVP_Digest failed")
        return Array(out.prefix(Int(length)))
    }
}

/// Keyed message authentication (HMAC).
public enum HMAC {
    public static func sha256(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        compute(EVP_sha256(), key: key, message: Array(message))
    }

    public static func sha1(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        compute(EVP_sha1(), key: key, message: Array(message))
    }

    public static func sha512(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        compute(EVP_sha512(), key: key, message: Array(message))
    }

    private static func compute(_ type: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                COpenSSL.HMAC(
                    type, k.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(k.count),
                    m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count, &out, &length)
            }
        }
        precondition(result != nil, "HMAC failed")
        return Array(out.prefix(Int(length)))
    }
}
