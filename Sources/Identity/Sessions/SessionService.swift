import Foundation
import Storage

/// Creates, finds and ends single-sign-on sessions.
public struct SessionService: Sendable {
    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// Starts a session inside the caller's transaction and returns the token for the browser's cookie.
    public func start(for account: Account, methods: [VerificationMethod], client: ClientInfo, in store: Store) throws -> String {
        let now = dependencies.clock.now()
        let token = dependencies.random.token()
        let level = methods.map(\.level).max() ?? .password
        try store.insertSession(
            idHash: tokenHash(token), accountID: account.id, level: level.rawValue,
            methods: methods.map(\.rawValue).joined(separator: ","), at: now,
            expiresAt: now.addingTimeInterval(dependencies.settings.login.sessionHours * 3600),
            ip: client.ip, userAgent: client.userAgent)
        try store.appendAudit(
            event: "sign_in", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
            detail: "methods=\(methods.map(\.rawValue).joined(separator: ","))", at: now)
        return token
    }

    /// A step-up or re-verification of `session`: it keeps its services and lifetime, gains `methods`, and gets a new
    /// token for the browser's cookie (a token seen before the stronger verification is worth nothing afterwards).
    public func upgrade(
        _ session: SSOSession, of account: Account, adding methods: [VerificationMethod], client: ClientInfo, in store: Store
    ) throws -> String {
        let now = dependencies.clock.now()
        let token = dependencies.random.token()
        var combined = session.methods.split(separator: ",").compactMap { VerificationMethod(rawValue: String($0)) }
        for method in methods where !combined.contains(method) { combined.append(method) }
        let level = combined.map(\.level).max() ?? .password
        let names = combined.map(\.rawValue).joined(separator: ",")
        try store.upgradeSession(id: session.id, idHash: tokenHash(token), level: level.rawValue, methods: names, at: now)
        try store.appendAudit(
            event: "step_up", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
            detail: "methods=\(names)", at: now)
        return token
    }

    /// The live session for a cookie's token. Read-only on the hot path: `last_seen_at` is only
    /// written when it is more than a minute old, which keeps the idle timeout honest.
    public func current(token: String) throws -> (SSOSession, Account)? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let now = dependencies.clock.now()
        let hash = tokenHash(token)
        guard let found = try dependencies.database.readOneStatement({ try $0.activeSession(idHash: hash, at: now) }) else { return nil }
        let idle = dependencies.settings.login.idleMinutes * 60
        if now.timeIntervalSince(found.0.lastSeenAt) > idle { return nil }
        if now.timeIntervalSince(found.0.lastSeenAt) > 60 {
            try dependencies.database.write { try $0.touchSession(id: found.0.id, at: now) }
        }
        return found
    }

    public func end(token: String, client: ClientInfo) throws {
        guard let (session, account) = try current(token: token) else { return }
        let now = dependencies.clock.now()
        try dependencies.database.write { store in
            try SingleLogout(dependencies).enqueue(forSession: session.id, in: store)
            try store.deleteSession(id: session.id)
            try store.appendAudit(
                event: "sign_out", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent, at: now)
        }
    }
}
