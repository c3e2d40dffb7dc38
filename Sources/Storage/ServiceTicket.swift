import Foundation
import GRDB

/// A burned service ticket with what its validation needs: the ticket's binding, its session and account.
public struct ConsumedServiceTicket: Sendable {
    public var id: Int64
    public var service: String
    public var serviceURL: String
    public var fromNewLogin: Bool
    public var expiresAt: Date
    /// Set when another validation attempt burned it first.
    public var wasUsed: Bool
    /// For a proxy ticket, the proxies in front of the service, newest first; nil for a service ticket.
    public var proxies: [String]?
    public var session: SSOSession
    public var account: Account
}

/// A service a session received tickets for, and when.
public struct VisitedService: Sendable, Equatable {
    public var sessionID: Int64
    public var service: String
    public var firstTicketAt: Date
    public var lastTicketAt: Date
}

extension Store {
    /// Stores a new ticket (its hash only) and records the visit, in one transaction.
    public func issueServiceTicket(
        ticketHash: [UInt8], service: String, serviceURL: String, sessionID: Int64, fromNewLogin: Bool, proxies: [String]? = nil,
        at now: Date, expiresAt: Date
    ) throws {
        try db.executeCached(
            sql: """
                INSERT INTO service_ticket (ticket_hash, service, service_url, session_id, from_new_login, proxies, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Data(ticketHash), service, serviceURL, sessionID, fromNewLogin, proxies?.joined(separator: "\n"), now.storedSeconds,
                expiresAt.storedSeconds,
            ])
        try db.executeCached(
            sql: """
                INSERT INTO session_service (session_id, service, first_ticket_at, last_ticket_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (session_id, service) DO UPDATE SET last_ticket_at = excluded.last_ticket_at
                """,
            arguments: [sessionID, service, now.storedSeconds, now.storedSeconds])
    }

    private static let consumeQuery = """
        SELECT t.id, t.service, t.service_url, t.from_new_login, t.expires_at, t.used_at, t.proxies, \(SSOSession.columns), \(Account.columns)
        FROM service_ticket t JOIN sso_session s ON s.id = t.session_id JOIN account a ON a.id = s.account_id
        WHERE t.ticket_hash = ?
        """

    /// Burns a ticket whatever the outcome of its validation: one indexed lookup, one write.
    /// `validatedTicket` decides, from the row, whether the validation succeeds; when it returns the
    /// ticket, it is kept as the single-logout SessionIndex (it can no longer be used to sign in).
    public func consumeServiceTicket(
        ticketHash: [UInt8], at now: Date, validatedTicket: (ConsumedServiceTicket) -> String?
    ) throws -> ConsumedServiceTicket? {
        let found = try fetchFirst(db.cachedStatement(sql: Self.consumeQuery), arguments: [Data(ticketHash)]) { columns in
            let id: Int64 = try columns.read()
            let service: String = try columns.read()
            let serviceURL: String = try columns.read()
            let fromNewLogin: Bool = try columns.read()
            let expiresAt = try columns.readDate()
            let wasUsed = columns.readOptionalDate() != nil
            let proxies = columns.readOptional(String.self).map { $0.split(separator: "\n").map(String.init) }
            return ConsumedServiceTicket(
                id: id, service: service, serviceURL: serviceURL, fromNewLogin: fromNewLogin, expiresAt: expiresAt, wasUsed: wasUsed,
                proxies: proxies, session: try SSOSession(&columns), account: try Account(&columns))
        }
        guard let ticket = found else { return nil }
        if ticket.wasUsed { return ticket }
        try db.executeCached(
            sql: "UPDATE service_ticket SET used_at = ?, validated_ticket = ? WHERE id = ?",
            arguments: [now.storedSeconds, validatedTicket(ticket), ticket.id])
        return ticket
    }

    /// The tickets of a session that services validated, by service name: the SessionIndex values for single logout.
    public func validatedTickets(sessionID: Int64) throws -> [(service: String, ticket: String)] {
        try Row.fetchAll(
            db,
            sql: "SELECT service, validated_ticket FROM service_ticket WHERE session_id = ? AND validated_ticket IS NOT NULL ORDER BY id",
            arguments: [sessionID]
        ).map { ($0["service"], $0["validated_ticket"]) }
    }

    /// The services each of an account's sessions visited, oldest visit first.
    public func visitedServices(accountID: Int64) throws -> [VisitedService] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT v.* FROM session_service v JOIN sso_session s ON s.id = v.session_id
                WHERE s.account_id = ? ORDER BY v.first_ticket_at
                """,
            arguments: [accountID]
        ).map {
            VisitedService(
                sessionID: $0["session_id"], service: $0["service"], firstTicketAt: Date(storedSeconds: $0["first_ticket_at"]),
                lastTicketAt: Date(storedSeconds: $0["last_ticket_at"]))
        }
    }

    /// Removes tickets that expired without a successful validation; validated ones live as long as their session.
    public func purgeServiceTickets(before cutoff: Date) throws -> Int {
        try db.executeCached(
            sql: "DELETE FROM service_ticket WHERE expires_at < ? AND validated_ticket IS NULL", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
