import Basics
import Cryptography
import Foundation
import Storage

/// Authenticator apps (software TOTP): enrolment, removal and the code check of the sign-in.
/// Secrets exist in clear only in memory; the database holds them sealed with AES-256-GCM.
public struct AuthenticatorApps: Sendable {
    public enum Change: Sendable {
        case done
        case invalid([FieldError])
    }

    /// A code check's result, for the sign-in.
    public enum CodeCheck: Sendable, Equatable {
        case accepted
        case rejected
        case replayed
    }

    /// 160 bits, the HMAC-SHA-1 block RFC 4226 recommends.
    static let secretBytes = 20

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    private var box: SecretBox { SecretBox(key: dependencies.subkey("otp-secret"))! }

    /// Binds a sealed secret to its account, so that a sealed value copied to another row does not open.
    private func associatedData(_ accountID: Int64) -> [UInt8] { Array("authenticator:\(accountID)".utf8) }

    private func open(_ record: AuthenticatorRecord) -> [UInt8]? {
        box.open(record.sealedSecret, associatedData: associatedData(record.accountID))
    }

    public func hasActive(_ account: Account) throws -> Bool {
        try dependencies.database.read { try $0.authenticator(accountID: account.id, status: .active) } != nil
    }

    /// The second factors `account` has set up, for the sign-in page's method list.
    public func enrolledMethods(of account: Account) throws -> Set<VerificationMethod> {
        try hasActive(account) ? [.totp] : []
    }

    /// The secret being enrolled, created on first use so that reloading the page keeps the same QR code.
    public func pendingSecret(for account: Account) throws -> [UInt8] {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            if let pending = try store.authenticator(accountID: account.id, status: .pending), let secret = open(pending) {
                return secret
            }
            let secret = dependencies.random.bytes(Self.secretBytes)
            let sealed = box.seal(secret, associatedData: associatedData(account.id), random: dependencies.random)
            try store.replacePendingAuthenticator(accountID: account.id, sealedSecret: sealed, at: now)
            return secret
        }
    }

    /// The pending secret if there is one; never creates one (the QR code images only show what the page started).
    public func existingPendingSecret(for account: Account) throws -> [UInt8]? {
        try dependencies.database.read { try $0.authenticator(accountID: account.id, status: .pending) }.flatMap(open)
    }

    /// The key URI authenticator apps read from the QR code.
    public func keyURI(secret: [UInt8], account: Account) -> String {
        let issuer = dependencies.settings.organisation.name
        let label = Self.percentEncode(issuer) + ":" + Self.percentEncode(account.email)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(Self.percentEncode(issuer))"
            + "&algorithm=SHA1&digits=6&period=30"
    }

    /// The secret for typing by hand: Base32 in groups of four.
    public static func grouped(_ secret: [UInt8]) -> String {
        let text = Array(Base32.encode(secret))
        return stride(from: 0, to: text.count, by: 4).map { String(text[$0..<min($0 + 4, text.count)]) }.joined(separator: " ")
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Confirms the pending app with a code from it. The caller has made sure the session verified the account's
    /// strongest method moments ago (see `SecondFactors.isFresh`).
    public func confirm(account: Account, newCode: String, client: ClientInfo) throws -> Change {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            guard let pending = try store.authenticator(accountID: account.id, status: .pending), let secret = open(pending) else {
                return .invalid([FieldError(field: "otp", messageKey: "error_authenticator_expired")])
            }
            guard case .accepted(let step) = OneTimePassword.verifyTOTP(code: newCode, secret: secret, at: now, lastStep: nil) else {
                return .invalid([FieldError(field: "otp", messageKey: "error_otp_wrong")])
            }
            try store.activatePendingAuthenticator(id: pending.id, accountID: account.id, confirmedStep: step)
            try store.appendAudit(
                event: "factor_added", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "method=totp", at: now)
            try Mailer(dependencies).enqueue("authenticator_added", to: account, values: ["ip": client.ip], in: store)
            return .done
        }
    }

    /// Removes the account's app; the caller has made sure of a fresh verification, as for `confirm`.
    public func remove(account: Account, client: ClientInfo) throws {
        let now = dependencies.clock.now()
        try dependencies.database.write { store in
            try store.deleteAuthenticators(accountID: account.id)
            try store.appendAudit(
                event: "factor_removed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "method=totp", at: now)
            try Mailer(dependencies).enqueue("authenticator_removed", to: account, values: ["ip": client.ip], in: store)
        }
    }

    /// Checks a sign-in code against the account's app and uses its time step up.
    public func check(account: Account, code: String) throws -> CodeCheck {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            guard let app = try store.authenticator(accountID: account.id, status: .active), let secret = open(app) else {
                return .rejected
            }
            switch OneTimePassword.verifyTOTP(code: code, secret: secret, at: now, lastStep: app.lastStep) {
            case .accepted(let step): return try store.consumeAuthenticatorStep(id: app.id, step: step) ? .accepted : .replayed
            case .replayed: return .replayed
            case .rejected: return .rejected
            }
        }
    }
}
