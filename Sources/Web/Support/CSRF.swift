import Basics
import Cryptography
import Foundation

/// Cross-site request forgery protection: a random seed in an HttpOnly cookie, and in each form
/// an HMAC of it under a server key. A forged form can neither read the cookie nor compute the MAC.
final class CSRF: @unchecked Sendable {
    static let cookieName = "la_csrf"
    static let fieldName = "csrf"
    /// How many seeds' tokens are remembered; the table is emptied when full, so that seeds sent by anyone
    /// cannot make it grow.
    static let rememberedTokens = 1024

    private let key: HMACKey
    private let lock = NSLock()
    /// Tokens already worked out, by seed. A browser keeps its seed for the whole visit and every page it is shown
    /// carries the token: the HMAC and its encoding were a tenth of the work of a signed-in page served from the
    /// page cache. A token depends on nothing but the seed and the key, which lives as long as this table.
    private var tokensBySeed: [String: String] = [:]

    init(key: [UInt8]) {
        self.key = HMACKey(key, algorithm: .sha256)
    }

    /// The token for `seed`. A seed just drawn for a browser without one is not remembered (`remember: false`):
    /// clients that never return their cookies (bots, health checks) would only churn the table.
    func token(forSeed seed: String, remember: Bool = true) -> String {
        guard remember else { return computedToken(seed) }
        // Texts compare by canonical equivalence, bytes do not: only seeds of ASCII characters (every seed this
        // server hands out) are looked up, so that no two different byte strings share an entry.
        var seed = seed
        guard seed.withUTF8({ $0.allSatisfy { $0 < 0x80 } }) else { return computedToken(seed) }
        if let token = lock.withLock({ tokensBySeed[seed] }) { return token }
        let token = computedToken(seed)
        lock.withLock {
            if tokensBySeed.count >= Self.rememberedTokens { tokensBySeed.removeAll(keepingCapacity: true) }
            tokensBySeed[seed] = token
        }
        return token
    }

    /// How many seeds' tokens are remembered now.
    var rememberedSeeds: Int { lock.withLock { tokensBySeed.count } }

    private func computedToken(_ seed: String) -> String {
        Base64URL.encode(key.authenticate(seed.utf8))
    }

    func isValid(token: String, seed: String?) -> Bool {
        guard let seed, !seed.isEmpty, !token.isEmpty else { return false }
        return ConstantTime.equals(token, self.token(forSeed: seed))
    }
}
