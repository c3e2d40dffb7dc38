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
        try AuthenticatorApps(dependencies).enrolledMethods(of: account)
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
}
