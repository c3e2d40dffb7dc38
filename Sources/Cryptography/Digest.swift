internal import COpenSSL
import Foundation

/// Algorithm implementations fetched from OpenSSL once. Naming an algorithm per call (`EVP_sha256()`, `HMAC()`)
/// makes OpenSSL 3 look it up again in its locked provider store every time, which showed in profiles of every
/// signed-in request (a token digest and a CSRF token each).
private enum Fetched {
    nonisolated(unsafe) static let sha1 = fetchDigest("SHA1")
    nonisolated(unsafe) static let sha256 = fetchDigest("SHA256")
    nonisolated(unsafe) static let hmac: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("OpenSSL has no HMAC") }
        return mac
    }()

    private static func fetchDigest(_ name: String) -> OpaquePointer {
        guard let digest = EVP_MD_fetch(nil, name, nil) else { fatalError("OpenSSL has no \(name)") }
        return digest
    }
}

/// One-shot message digests.
public enum Digest {
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        run(Fetched.sha256, Array(data))
    }

    /// The digest of a text's UTF-8 bytes, read in place.
    public static func sha256(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { run(Fetched.sha256, UnsafeRawBufferPointer($0)) }
    }

    public static func sha1(_ data: some Collection<UInt8>) -> [UInt8] {
        run(Fetched.sha1, Array(data))
    }

    private static func run(_ type: OpaquePointer, _ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { input in run(type, input) }
    }

    private static func run(_ type: OpaquePointer, _ input: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { out, count in
            var length: UInt32 = 0
            let status = EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, type, nil)
            precondition(status == 1, "EVP_Digest failed")
            count = Int(length)
        }
    }
}

/// Keyed message authentication (HMAC).
public enum HMAC {
    public enum Algorithm: String, Sendable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha512 = "SHA512"
    }

    public static func sha256(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        HMACKey(key, algorithm: .sha256).authenticate(message)
    }

    public static func sha1(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        HMACKey(key, algorithm: .sha1).authenticate(message)
    }

    public static func sha512(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        HMACKey(key, algorithm: .sha512).authenticate(message)
    }
}

/// An HMAC key made ready once (the padded key already hashed in) for many messages, as for the CSRF tokens of
/// every page. Contexts are reused: after a MAC, re-initialising a context without a key takes it back to the keyed
/// state, which costs half as much as copying the keyed state into a new context and allocates nothing.
public final class HMACKey: @unchecked Sendable {
    /// Keyed and never updated: only ever copied, which reads it.
    private let keyed: OpaquePointer
    private let lock = NSLock()
    /// Contexts not in use; at most one per thread that computed a MAC at the same time as others.
    private var idle: [OpaquePointer] = []

    public init(_ key: [UInt8], algorithm: HMAC.Algorithm) {
        // OpenSSL reads a NULL key as "no key given"; an empty key needs a real pointer.
        let material = key.isEmpty ? [0] : key
        let context = material.withUnsafeBufferPointer { bytes in
            la_hmac_keyed(Fetched.hmac, algorithm.rawValue, bytes.baseAddress, key.count)
        }
        guard let context else { fatalError("HMAC-\(algorithm.rawValue) key set-up failed") }
        keyed = context
    }

    deinit {
        for context in idle { EVP_MAC_CTX_free(context) }
        EVP_MAC_CTX_free(keyed)
    }

    public func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        message.withContiguousStorageIfAvailable { authenticate(UnsafeRawBufferPointer($0)) }
            ?? Array(message).withUnsafeBytes { authenticate($0) }
    }

    private func authenticate(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let reused = lock.withLock { idle.popLast() }
        guard let context = reused ?? EVP_MAC_CTX_dup(keyed) else { fatalError("HMAC context copy failed") }
        let mac = [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { out, count in
            var length = 0
            let status =
                (reused == nil || EVP_MAC_init(context, nil, 0, nil) == 1)
                && EVP_MAC_update(context, input.baseAddress, input.count) == 1
                && EVP_MAC_final(context, out.baseAddress, &length, out.count) == 1
            precondition(status, "HMAC failed")
            count = length
        }
        lock.withLock { idle.append(context) }
        return mac
    }
}
