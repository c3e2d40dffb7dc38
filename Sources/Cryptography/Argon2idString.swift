import Foundation

/// An Argon2id hash in the PHC string format: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, salt and hash in
/// standard Base64 without padding, as the reference implementation writes and reads it.
struct Argon2idString {
    var memoryKiB: UInt32
    var iterations: UInt32
    var parallelism: UInt32
    var salt: [UInt8]
    var hash: [UInt8]

    var encoded: String {
        "$argon2id$v=19$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$\(Self.base64(salt))$\(Self.base64(hash))"
    }

    init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, salt: [UInt8], hash: [UInt8]) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        self.salt = salt
        self.hash = hash
    }

    /// Reads a stored hash; nil for anything else, or for costs no stored hash of ours has (they would only let a
    /// damaged row make a sign-in allocate or spin without bound).
    init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty, parts[1] == "argon2id", parts[2] == "v=19" else { return nil }
        var costs: [Substring: UInt32] = [:]
        for item in parts[3].split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, costs[pair[0]] == nil, let value = UInt32(pair[1]) else { return nil }
            costs[pair[0]] = value
        }
        guard costs.count == 3, let m = costs["m"], let t = costs["t"], let p = costs["p"],
            (1...16).contains(p), (8 * p...4 << 20).contains(m), (1...64).contains(t),
            let salt = Self.unbase64(parts[4]), (8...64).contains(salt.count),
            let hash = Self.unbase64(parts[5]), (4...64).contains(hash.count)
        else { return nil }
        self.init(memoryKiB: m, iterations: t, parallelism: p, salt: salt, hash: hash)
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    private static func unbase64(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, !text.utf8.contains(UInt8(ascii: "=")), text.utf8.count % 4 != 1 else { return nil }
        let padded = text + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        return Data(base64Encoded: String(padded)).map { [UInt8]($0) }
    }
}
