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

    private static let lookUpQuery = """
        SELECT p.service, p.proxies, \(SSOSession.columns), \(Account.columns)
        FROM proxy_granting_ticket p JOIN sso_session s ON s.id = p.session_id JOIN account a ON a.id = s.account_id
        WHERE p.ticket_hash = ? AND s.expires_at > ? AND a.status = 'active'
        """

    /// The ticket, if its session is still live, in one indexed lookup.
    public func proxyGrantingTicket(ticketHash: [UInt8], at now: Date) throws -> FoundProxyGrantingTicket? {
        try fetchFirst(db.cachedStatement(sql: Self.lookUpQuery), arguments: [Data(ticketHash), now.storedSeconds]) { columns in
            let service: String = try columns.read()
            let proxies: String = try columns.read()
            return FoundProxyGrantingTicket(
                service: service, proxies: proxies.split(separator: "\n").map(String.init), session: try SSOSession(&columns),
                account: try Account(&columns))
        }
    }
}
