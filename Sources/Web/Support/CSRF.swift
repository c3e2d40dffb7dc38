import Basics
import Cryptography

/// Cross-site request forgery protection: a random seed in an HttpOnly cookie, and in each form
/// an HMAC of it under a server key. A forged form can neither read the cookie nor compute the MAC.
struct CSRF {
    static let cookieName = "la_csrf"
    static let fieldName = "csrf"

    private let key: HMACKey

    init(key: [UInt8]) {
        self.key = HMACKey(key, algorithm: .sha256)
    }

    func token(forSeed seed: String) -> String {
        Base64URL.encode(key.authenticate(seed.utf8))
    }

    func isValid(token: String, seed: String?) -> Bool {
        guard let seed, !seed.isEmpty, !token.isEmpty else { return false }
        return ConstantTime.equals(token, self.token(forSeed: seed))
    }
}
