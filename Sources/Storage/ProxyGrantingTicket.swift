import Foundation
import GRDB

/// A proxy-granting ticket with the live session and account it speaks for.
public struct FoundProxyGrantingTicket: Sendable {
    /// The name of the service that obtained it.
    public var service: String
    /// The callback URLs it was delivered through, newest first.
    public var proxies: [String]
    public var session: SSOSession
    public var account: Account
}

extension Store {
    /// Stores a new proxy-granting ticket (its hash only); it lives as long as its session.
    public func insertProxyGrantingTicket(ticketHash: [UInt8], sessionID: Int64, service: String, proxies: [String], at now: Date) throws {
        try db.executeCached(
            sql: "INSERT INTO proxy_granting_ticket (ticket_hash, session_id, service, proxies, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [Data(ticketHash), sessionID, service, proxies.joined(separator: "\n"), now.storedSeconds])
    }

    /// Withdraws a ticket whose delivery to the callback failed.
    public func deleteProxyGrantingTicket(ticketHash: [UInt8]) throws {
        try db.executeCached(sql: "DELETE FROM proxy_granting_ticket WHERE ticket_hash = ?", arguments: [Data(ticketHash)])
    }

    /// The ticket, if its session is still live, in one indexed lookup.
    public func proxyGrantingTicket(ticketHash: [UInt8], at now: Date) throws -> FoundProxyGrantingTicket? {
        let sql = """
            SELECT p.service AS p_service, p.proxies AS p_proxies,
                   s.id AS s_id, s.account_id, s.level, s.methods, s.created_at AS s_created_at, s.last_seen_at,
                   s.expires_at, s.ip, s.user_agent, a.*
            FROM proxy_granting_ticket p JOIN sso_session s ON s.id = p.session_id JOIN account a ON a.id = s.account_id
            WHERE p.ticket_hash = ? AND s.expires_at > ? AND a.status = 'active'
            """
        return try fetchFirst(db.cachedStatement(sql: sql), arguments: [Data(ticketHash), now.storedSeconds]) { row in
            var session = SSOSession(row: row)
            session.id = row["s_id"]
            session.createdAt = Date(storedSeconds: row["s_created_at"])
            return FoundProxyGrantingTicket(
                service: row["p_service"], proxies: (row["p_proxies"] as String).split(separator: "\n").map(String.init), session: session,
                account: Account(row: row))
        }
    }
}
