import Foundation
import Storage

/// A live session as My Account lists it, with the services it received tickets for.
public struct OpenSession: Sendable {
    public var session: SSOSession
    public var services: [VisitedService]
    public var isCurrent: Bool
}

extension SessionService {
    /// The account's sessions that can still be used, the current one first.
    public func openSessions(of account: Account, current: SSOSession) throws -> [OpenSession] {
        let now = dependencies.clock.now()
        let idle = dependencies.settings.login.idleMinutes * 60
        let (sessions, visits) = try dependencies.database.read {
            (try $0.sessions(accountID: account.id), try $0.visitedServices(accountID: account.id))
        }
        return
            sessions
            .filter { $0.expiresAt > now && now.timeIntervalSince($0.lastSeenAt) <= idle }
            .map { session in
                OpenSession(session: session, services: visits.filter { $0.sessionID == session.id }, isCurrent: session.id == current.id)
            }
            .sorted { $0.isCurrent && !$1.isCurrent }
    }

    /// Ends one of the account's own sessions (services are told through single logout); false if it is not one of them.
    public func end(sessionID: Int64, of account: Account, client: ClientInfo) throws -> Bool {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            guard try store.sessions(accountID: account.id).contains(where: { $0.id == sessionID }) else { return false }
            try SingleLogout(dependencies).enqueue(forSession: sessionID, in: store)
            try store.deleteSession(id: sessionID)
            try store.appendAudit(
                event: "session_ended", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "session=\(sessionID)", at: now)
            return true
        }
    }

    /// Ends every session of the account but `current`; returns how many ended.
    public func endOthers(than current: SSOSession, of account: Account, client: ClientInfo) throws -> Int {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            let others = try store.sessions(accountID: account.id).filter { $0.id != current.id }
            for session in others {
                try SingleLogout(dependencies).enqueue(forSession: session.id, in: store)
                try store.deleteSession(id: session.id)
            }
            try store.appendAudit(
                event: "other_sessions_ended", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "count=\(others.count)", at: now)
            return others.count
        }
    }
}
