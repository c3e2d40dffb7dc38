import Foundation
import Storage

/// Issues and redeems the single-use links that e-mails carry.
public struct EmailLinks: Sendable {
    /// Registration, reset and e-mail confirmation links live 24 hours.
    public static let lifetime: TimeInterval = 24 * 3600

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// Stores a new link (retiring older unused ones of the same purpose) and returns its URL.
    public func issue(_ purpose: EmailLinkPurpose, for accountID: Int64, newEmail: String? = nil, in store: Store) throws -> String {
        let now = dependencies.clock.now()
        let token = dependencies.random.token()
        try store.retireEmailLinks(accountID: accountID, purpose: purpose, at: now)
        try store.insertEmailLink(
            tokenHash: tokenHash(token), purpose: purpose, accountID: accountID, newEmail: newEmail, at: now,
            expiresAt: now.addingTimeInterval(Self.lifetime))
        return "\(dependencies.settings.server.baseURL)\(Self.path(for: purpose))?token=\(token)"
    }

    public static func path(for purpose: EmailLinkPurpose) -> String {
        switch purpose {
        case .setPassword, .resetPassword: "/password/set"
        case .confirmEmail: "/account/email/confirm"
        case .unlock: "/unlock"
        }
    }

    /// Why a link cannot be used.
    public enum Problem: Sendable, Equatable {
        case unknown
        case expired
        case used
    }

    /// The link and its account if it can be used now, without using it up.
    public func check(token: String, purposes: Set<EmailLinkPurpose>, in store: Store) throws -> Result<(EmailLink, Account), ProblemBox> {
        guard !token.isEmpty, token.utf8.count <= 128,
            let link = try store.emailLink(tokenHash: tokenHash(token)), purposes.contains(link.purpose),
            let account = try store.account(id: link.accountID)
        else { return .failure(ProblemBox(.unknown)) }
        if link.usedAt != nil { return .failure(ProblemBox(.used)) }
        if link.expiresAt <= dependencies.clock.now() { return .failure(ProblemBox(.expired)) }
        return .success((link, account))
    }
}

/// `EmailLinks.Problem` as an `Error`, so it can travel in a `Result`.
public struct ProblemBox: Error, Sendable, Equatable {
    public var problem: EmailLinks.Problem
    init(_ problem: EmailLinks.Problem) { self.problem = problem }
}
