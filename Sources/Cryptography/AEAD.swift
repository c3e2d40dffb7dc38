import Basics
internal import COpenSSL

/// AES-256-GCM authenticated encryption for secrets at rest.
/// The sealed form is nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
public struct SecretBox: Sendable {
    private let key: [UInt8]

    public init?(key: [UInt8]) {
        guard key.count == 32 else { return nil }
        self.key = key
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = [], random: some RandomSource) -> [UInt8] {
        let nonce = random.bytes(12)
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
        var length: Int32 = 0
        if !associatedData.isEmpty {
            ok = ok && EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        ok = ok && EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1
        var total = Int(length)
        ok =
            ok
            && ciphertext.withUnsafeMutableBufferPointer {
                EVP_EncryptFinal_ex(context, $0.baseAddress! + total, &length) == 1
            }
        total += Int(length)
        var tag = [UInt8](repeating: 0, count: 16)
        ok = ok && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1
        precondition(ok, "AES-GCM encryption failed")
        return nonce + ciphertext.prefix(total) + tag
    }

    /// The plaintext, or nil when the box was tampered with or sealed under another key.
    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) -> [UInt8]? {
        guard sealed.count >= 28 else { return nil }
        let nonce = Array(sealed.prefix(12))
        let tag = Array(sealed.suffix(16))
        let ciphertext = Array(sealed.dropFirst(12).dropLast(16))
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return nil }
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
            else { return nil }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        guard EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1
        else { return nil }
        let total = Int(length)
        var mutableTag = tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &mutableTag) == 1 else { return nil }
        let final = plaintext.withUnsafeMutableBufferPointer {
            EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &length)
        }
        guard final == 1 else { return nil }
        return Array(plaintext.prefix(total + Int(length)))
    }
}
