import Foundation
import Storage

/// What an account has set up beyond its password, taken together: for the sign-in's method list, the level a
/// fresh verification must reach, and the emergency removal of everything.
public struct SecondFactors: Sendable {
    /// A session verified this recently may step up with a second factor alone, without the password again.
    public static let stepUpWindow: TimeInterval = 30 * 60
    /// Adding or removing a factor needs a verification at the account's strongest level this recent.
    public static let freshWindow: TimeInterval = 10 * 60

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// The second factors `account` can sign in with now.
    public func enrolled(of account: Account) throws -> Set<VerificationMethod> {
        var methods = try AuthenticatorApps(dependencies).enrolledMethods(of: account)
        methods.formUnion(try HardwareTokens(dependencies).enrolledMethods(of: account))
        if try !SMSSignIn(dependencies).numbers(of: account).isEmpty { methods.insert(.sms) }
        return methods
    }

    /// The level of the strongest method the account has: what a fresh verification must reach.
    public func strongestLevel(of account: Account) throws -> AuthenticationLevel {
        try enrolled(of: account).map(\.level).max() ?? .password
    }

    /// Whether `session` proved its owner at the account's strongest level within `freshWindow`.
    public func isFresh(_ session: SSOSession, of account: Account) throws -> Bool {
        let level = AuthenticationLevel(rawValue: session.level) ?? .password
        let age = dependencies.clock.now().timeIntervalSince(session.verifiedAt)
        let strongest = try strongestLevel(of: account)
        return session.accountID == account.id && age <= Self.freshWindow && level >= strongest
    }

    /// Whether a step-up of `session` for `account` may skip the password: the session is the account's and recent.
    public func waivesPassword(_ session: SSOSession?, accountID: Int64) -> Bool {
        guard let session, session.accountID == accountID else { return false }
        return dependencies.clock.now().timeIntervalSince(session.verifiedAt) <= Self.stepUpWindow
    }

    /// The emergency removal for a lost phone or token: every second factor goes after the password alone, the
    /// account's other sessions end, and the owner gets a mail. Cannot be undone; wrong passwords count as failures.
    public func removeAll(from account: Account, password: String, keeping session: SSOSession, client: ClientInfo) throws -> FieldError? {
        let now = dependencies.clock.now()
        let current = try dependencies.database.read { try $0.account(id: account.id) } ?? account
        if current.locked { return FieldError(field: "password", messageKey: "error_account_locked") }
        if let until = current.throttledUntil, until > now {
            return FieldError(field: "password", messageKey: "error_verification_throttled")
        }
        guard let hash = current.passwordHash, dependencies.hasher.verify(PasswordPolicy.normalize(password), against: hash) else {
            if case .locked = try SignIn(dependencies).recordFailure(of: current, reason: "wrong_password", client: client, at: now) {
                return FieldError(field: "password", messageKey: "error_account_locked")
            }
            return FieldError(field: "password", messageKey: "error_current_password_wrong")
        }
        try dependencies.database.write { store in
            let removed = try enrolled(of: current).map(\.rawValue).sorted().joined(separator: ",")
            try store.deleteAuthenticators(accountID: current.id)
            try store.unlinkHardwareTokens(accountID: current.id)
            try store.deletePhoneNumbers(accountID: current.id)
            for other in try store.sessions(accountID: current.id) where other.id != session.id {
                try SingleLogout(dependencies).enqueue(forSession: other.id, in: store)
                try store.deleteSession(id: other.id)
            }
            try store.appendAudit(
                event: "factors_removed_all", accountID: current.id, email: current.email, ip: client.ip, userAgent: client.userAgent,
                detail: "methods=\(removed)", at: now)
            try Mailer(dependencies).enqueue("factors_removed_all", to: current, values: ["ip": client.ip], in: store)
        }
        return nil
    }
}
