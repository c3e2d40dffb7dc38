import Foundation
import GRDB

/// The outbox tables. They share their delivery bookkeeping: due items are claimed under a lease
/// (so concurrent senders never take the same item and a crashed sender's claims come due again),
/// then marked sent, or failed with a retry time.
public enum OutboxTable: String, Sendable {
    case mail = "mail_outbox"
    /// Back-channel HTTP POSTs (CAS single logout).
    case http = "http_outbox"
    /// Text messages (SMS codes).
    case sms = "sms_outbox"
}

/// How many items are in each state.
public struct OutboxCounts: Sendable, Equatable {
    public var queued = 0
    public var sending = 0
    public var sent = 0
    public var failed = 0
}

extension Store {
    /// Takes up to `limit` due rows under a lease and counts the attempt; the rows are returned as read.
    func claimDue(_ table: OutboxTable, at now: Date, lease: TimeInterval, limit: Int) throws -> [Row] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM \(table.rawValue)
                WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?)
                ORDER BY next_attempt_at LIMIT ?
                """,
            arguments: [now.storedSeconds, now.storedSeconds, limit])
        for row in rows {
            try db.executeCached(
                sql: "UPDATE \(table.rawValue) SET status = 'sending', lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                arguments: [now.addingTimeInterval(lease).storedSeconds, row["id"] as Int64])
        }
        return rows
    }

    public func markSent(_ table: OutboxTable, id: Int64, at now: Date) throws {
        try db.executeCached(
            sql: "UPDATE \(table.rawValue) SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
            arguments: [now.storedSeconds, id])
    }

    /// Records a failed attempt: retried at `retryAt`, or given up on when it is nil.
    public func markAttemptFailed(_ table: OutboxTable, id: Int64, error: String, retryAt: Date?) throws {
        try db.executeCached(
            sql: """
                UPDATE \(table.rawValue) SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL, last_error = ?
                WHERE id = ?
                """,
            arguments: [retryAt == nil ? "failed" : "queued", retryAt?.storedSeconds, error, id])
    }

    /// The earliest time a queued item becomes due, for the sender thread's sleep.
    public func nextDue(_ table: OutboxTable) throws -> Date? {
        try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM \(table.rawValue) WHERE status = 'queued'")
            .map(Date.init(storedSeconds:))
    }

    public func outboxCounts(_ table: OutboxTable = .mail) throws -> OutboxCounts {
        var counts = OutboxCounts()
        for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM \(table.rawValue) GROUP BY status") {
            let n: Int = row["n"]
            switch row["status"] as String {
            case "queued": counts.queued = n
            case "sending": counts.sending = n
            case "sent": counts.sent = n
            default: counts.failed = n
            }
        }
        return counts
    }

    public func purgeSent(_ table: OutboxTable, before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM \(table.rawValue) WHERE status = 'sent' AND sent_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
