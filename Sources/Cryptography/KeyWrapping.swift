internal import COpenSSL

/// The primitives of encrypted token files (RFC 6030 §6): PBKDF2 to derive a key from a password,
/// AES-CBC to decrypt a secret with its IV in front.
public enum KeyWrapping {
    /// PBKDF2 with HMAC-SHA-1 (the PKCS #5 default PRF that PSKC files use).
    public static func pbkdf2SHA1(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8]? {
        guard iterations > 0, (1...64).contains(length) else { return nil }
        var key = [UInt8](repeating: 0, count: length)
        let status = password.withUnsafeBufferPointer { passwordBytes in
            passwordBytes.withMemoryRebound(to: CChar.self) { passwordChars in
                PKCS5_PBKDF2_HMAC(
                    passwordChars.baseAddress, Int32(password.count), salt, Int32(salt.count), Int32(iterations), EVP_sha1(),
                    Int32(length), &key)
            }
        }
        return status == 1 ? key : nil
    }

    /// Decrypts `ivAndCiphertext` (16-byte IV, then whole blocks) with AES-128/192/256-CBC and PKCS #7 padding,
    /// as XML Encryption's `aes*-cbc` methods write it; nil when the key, the length or the padding is wrong.
    public static func decryptCBC(key: [UInt8], ivAndCiphertext: [UInt8]) -> [UInt8]? {
        let cipher: OpaquePointer?
        switch key.count {
        case 16: cipher = EVP_aes_128_cbc()
        case 24: cipher = EVP_aes_192_cbc()
        case 32: cipher = EVP_aes_256_cbc()
        default: return nil
        }
        guard ivAndCiphertext.count >= 32, ivAndCiphertext.count % 16 == 0, let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let iv = Array(ivAndCiphertext.prefix(16))
        let ciphertext = Array(ivAndCiphertext.dropFirst(16))
        guard EVP_DecryptInit_ex(context, cipher, nil, key, iv) == 1 else { return nil }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1 else { return nil }
        let total = Int(length)
        let final = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &length) }
        guard final == 1 else { return nil }
        return Array(plaintext.prefix(total + Int(length)))
    }
}
