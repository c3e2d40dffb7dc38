import Basics
import Cryptography
import Foundation
import Identity

/// Portable Symmetric Key Container files (RFC 6030), as token vendors ship them: one `KeyPackage` per token,
/// secrets in plain or AES-CBC-encrypted under a pre-shared key or a key derived from a password (PBKDF2),
/// each encrypted secret authenticated by a `ValueMAC`.
enum PSKCFile {
    /// What decrypts the file's secrets.
    struct Keys {
        var preSharedKey: [UInt8]?
        var password: String?
    }

    static func parse(_ data: [UInt8], keys: Keys) -> (tokens: [TokenDefinition], problems: [String]) {
        if let reason = ParsedElement.unavailableReason { return ([], [reason]) }
        guard let root = ParsedElement.parse(data), root.name == "KeyContainer" else {
            return ([], ["the file is not a PSKC key container (well-formed XML with a KeyContainer root)"])
        }
        var problems: [String] = []
        let encryptionKey = self.encryptionKey(root, keys: keys, problems: &problems)
        let macKey = self.macKey(root, encryptionKey: encryptionKey, problems: &problems)
        guard problems.isEmpty else { return ([], problems) }
        var tokens: [TokenDefinition] = []
        let packages = root.all("KeyPackage")
        if packages.isEmpty { problems.append("the file holds no KeyPackage") }
        for (index, package) in packages.enumerated() {
            let serial = package.at("DeviceInfo/SerialNo")?.trimmedText ?? ""
            let label = "KeyPackage \(index + 1)" + (serial.isEmpty ? "" : " (serial \(serial))")
            var packageProblems: [String] = []
            if let token = definition(package, serial: serial, encryptionKey: encryptionKey, macKey: macKey, problems: &packageProblems) {
                tokens.append(token)
            }
            problems += packageProblems.map { "\(label): \($0)" }
        }
        return (tokens, problems)
    }

    private static func definition(
        _ package: ParsedElement, serial: String, encryptionKey: [UInt8]?, macKey: [UInt8]?, problems: inout [String]
    ) -> TokenDefinition? {
        guard let key = package.child("Key") else {
            problems.append("no Key")
            return nil
        }
        if package.all("Key").count > 1 { problems.append("more than one Key; a token has one") }
        if serial.isEmpty { problems.append("no DeviceInfo/SerialNo") }
        let parameters = key.child("AlgorithmParameters")
        let suiteText = parameters?.child("Suite")?.trimmedText ?? ""
        guard let type = tokenType(algorithm: key.attributes["Algorithm"] ?? "", suite: suiteText) else {
            problems.append("unsupported key algorithm \"\(key.attributes["Algorithm"] ?? "")\" (HOTP, TOTP and OCRA are supported)")
            return nil
        }
        // For HOTP and TOTP keys the Suite names the HMAC hash (`HMAC-SHA256`); absent, it is SHA-1.
        var hash = OTPAlgorithm.sha1
        if !suiteText.isEmpty, !type.hasPrefix("OCRA-1:") {
            let name = suiteText.uppercased().replacingOccurrences(of: "HMAC-", with: "").replacingOccurrences(of: "-", with: "")
            if let named = OTPAlgorithm(rawValue: name) {
                hash = named
            } else {
                problems.append("unsupported Suite \"\(suiteText)\" (HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512)")
            }
        }
        var digits: Int?
        if let length = parameters?.child("ResponseFormat")?.attributes["Length"] {
            digits = Int(length)
            if digits == nil { problems.append("ResponseFormat Length \"\(length)\" is not a number") }
        }
        if let encoding = parameters?.child("ResponseFormat")?.attributes["Encoding"], encoding.uppercased() != "DECIMAL" {
            problems.append("ResponseFormat Encoding \(encoding) is not supported (only DECIMAL)")
        }
        let counter = number(key, "Data/Counter", problems: &problems).map { UInt64($0) }
        let period = number(key, "Data/TimeInterval", problems: &problems)
        let secret = self.secret(key, encryptionKey: encryptionKey, macKey: macKey, problems: &problems)
        guard problems.isEmpty, let secret else { return nil }
        switch TokenDefinition.make(
            serial: serial, type: type, secret: secret, digits: digits, algorithm: hash, period: period, counter: counter)
        {
        case .success(let token): return token
        case .failure(let refused):
            problems += refused.messages
            return nil
        }
    }

    /// `hotp`, `totp` or the OCRA suite, from the key's algorithm URI (or its `Suite` parameter for OCRA).
    static func tokenType(algorithm: String, suite: String) -> String? {
        let lowered = algorithm.lowercased()
        if lowered.hasSuffix(":hotp") || lowered.hasSuffix("#hotp") { return "hotp" }
        if lowered.hasSuffix(":totp") || lowered.hasSuffix("#totp") { return "totp" }
        if let range = algorithm.range(of: "OCRA-1:", options: .caseInsensitive) { return String(algorithm[range.lowerBound...]) }
        if lowered.hasSuffix("ocra"), suite.uppercased().hasPrefix("OCRA-1:") { return suite }
        return nil
    }

    /// A non-negative `PlainValue` number at `path`, if the element is there.
    private static func number(_ key: ParsedElement, _ path: String, problems: inout [String]) -> Int? {
        guard let element = key.at(path) else { return nil }
        guard let plain = element.child("PlainValue")?.trimmedText else {
            problems.append("\(path) has no PlainValue (encrypted counters and intervals are not supported)")
            return nil
        }
        guard let value = Int(plain), value >= 0 else {
            problems.append("\(path) \"\(plain)\" is not a non-negative number")
            return nil
        }
        return value
    }

    private static func secret(_ key: ParsedElement, encryptionKey: [UInt8]?, macKey: [UInt8]?, problems: inout [String]) -> [UInt8]? {
        guard let secret = key.at("Data/Secret") else {
            problems.append("no Data/Secret")
            return nil
        }
        if let plain = secret.child("PlainValue") {
            guard let bytes = base64(plain.trimmedText) else {
                problems.append("the secret's PlainValue is not Base64")
                return nil
            }
            return bytes
        }
        guard let encrypted = secret.child("EncryptedValue") else {
            problems.append("the secret has neither PlainValue nor EncryptedValue")
            return nil
        }
        guard let encryptionKey else {
            problems.append("the secret is encrypted: give the pre-shared key (--key) or the password (--password)")
            return nil
        }
        guard let cipher = cipherValue(encrypted, problems: &problems) else { return nil }
        guard let macKey, let mac = secret.child("ValueMAC").flatMap({ base64($0.trimmedText) }) else {
            problems.append("the encrypted secret has no ValueMAC and MACMethod to check it")
            return nil
        }
        guard ConstantTime.equals(HMAC.sha1(key: macKey, message: cipher), mac) else {
            problems.append("the secret's ValueMAC does not match: wrong key or password, or a damaged file")
            return nil
        }
        guard let plain = KeyWrapping.decryptCBC(key: encryptionKey, ivAndCiphertext: cipher) else {
            problems.append("the secret does not decrypt: wrong key or password")
            return nil
        }
        return plain
    }

    /// The IV and ciphertext of an XML Encryption value with an AES-CBC method.
    private static func cipherValue(_ encrypted: ParsedElement, problems: inout [String]) -> [UInt8]? {
        let method = encrypted.child("EncryptionMethod")?.attributes["Algorithm"] ?? ""
        guard ["aes128-cbc", "aes192-cbc", "aes256-cbc"].contains(where: { method.hasSuffix("#" + $0) }) else {
            problems.append("encryption method \"\(method)\" is not supported (AES-CBC only)")
            return nil
        }
        guard let bytes = encrypted.at("CipherData/CipherValue").flatMap({ base64($0.trimmedText) }) else {
            problems.append("no Base64 CipherData/CipherValue")
            return nil
        }
        return bytes
    }

    /// The key that decrypts the secrets: the pre-shared key, or the one PBKDF2 derives from the password.
    private static func encryptionKey(_ root: ParsedElement, keys: Keys, problems: inout [String]) -> [UInt8]? {
        guard let element = root.child("EncryptionKey") else { return keys.preSharedKey }
        guard let derived = element.child("DerivedKey") else { return keys.preSharedKey }
        guard let password = keys.password else {
            problems.append("the secrets are protected by a password: give it with --password or --password-file")
            return nil
        }
        guard let method = derived.child("KeyDerivationMethod"), method.attributes["Algorithm"]?.hasSuffix("#pbkdf2") == true,
            let parameters = method.child("PBKDF2-params")
        else {
            problems.append("the key derivation method is not supported (PBKDF2 only)")
            return nil
        }
        if let prf = parameters.child("PRF")?.attributes["Algorithm"], !prf.hasSuffix("hmac-sha1") {
            problems.append("the PBKDF2 pseudo-random function \(prf) is not supported (HMAC-SHA-1 only)")
            return nil
        }
        guard let salt = parameters.at("Salt/Specified").flatMap({ base64($0.trimmedText) }),
            let iterations = parameters.child("IterationCount").flatMap({ Int($0.trimmedText) }), (1...1_000_000).contains(iterations),
            let length = parameters.child("KeyLength").flatMap({ Int($0.trimmedText) }), [16, 24, 32].contains(length),
            let key = KeyWrapping.pbkdf2SHA1(password: Array(password.utf8), salt: salt, iterations: iterations, length: length)
        else {
            problems.append("the PBKDF2 parameters (Salt/Specified, IterationCount, KeyLength of 16, 24 or 32) are missing or invalid")
            return nil
        }
        return key
    }

    /// The MAC key, itself encrypted under the encryption key (RFC 6030 §6.1.1).
    private static func macKey(_ root: ParsedElement, encryptionKey: [UInt8]?, problems: inout [String]) -> [UInt8]? {
        guard let method = root.child("MACMethod") else { return nil }
        let algorithm = method.attributes["Algorithm"] ?? ""
        guard algorithm.hasSuffix("#hmac-sha1") else {
            problems.append("MAC method \"\(algorithm)\" is not supported (HMAC-SHA-1 only)")
            return nil
        }
        guard let encryptionKey, let wrapped = method.child("MACKey") else { return nil }
        guard let cipher = cipherValue(wrapped, problems: &problems) else { return nil }
        guard let key = KeyWrapping.decryptCBC(key: encryptionKey, ivAndCiphertext: cipher) else {
            problems.append("the MAC key does not decrypt: wrong key or password")
            return nil
        }
        return key
    }

    static func base64(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text.filter { !$0.isWhitespace }).map { [UInt8]($0) }
    }
}
