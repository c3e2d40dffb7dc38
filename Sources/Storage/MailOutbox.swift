import Foundation
import GRDB

/// A message waiting in, or done with, the outbox.
public struct OutboxMail: Sendable {
    public var id: Int64
    public var messageID: String
    public var recipient: String
    public var message: [UInt8]
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date

    init(row: Row) {
        id = row["id"]
        messageID = row["message_id"]
        recipient = row["recipient"]
        message = [UInt8]((row["message"] as Data?) ?? Data())
        status = row["status"]
        attempts = row["attempts"]
        nextAttemptAt = Date(storedSeconds: row["next_attempt_at"])
        lastError = row["last_error"]
        createdAt = Date(storedSeconds: row["created_at"])
    }
}

/// How many messages are in each state.
public struct OutboxCounts: Sendable, Equatable {
    public var queued = 0
    public var sending = 0
    public var sent = 0
    public var failed = 0
}

extension Store {
    public func enqueueMail(messageID: String, recipient: String, message: [UInt8], at now: Date) throws {
        try db.executeCached(
            sql:
                "INSERT INTO mail_outbox (message_id, recipient, message, status, next_attempt_at, created_at) VALUES (?, ?, ?, 'queued', ?, ?)",
            arguments: [messageID, recipient, Data(message), now.storedSeconds, now.storedSeconds])
    }

    /// Takes up to `limit` due messages for delivery under a lease. A message whose sender died
    /// (lease run out while still 'sending') is due again, so nothing is lost by a crash; a live
    /// lease keeps every other sender away, so nothing is sent twice by concurrent runs.
    public func claimDueMail(at now: Date, lease: TimeInterval, limit: Int) throws -> [OutboxMail] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM mail_outbox
                WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?)
                ORDER BY next_attempt_at LIMIT ?
                """,
            arguments: [now.storedSeconds, now.storedSeconds, limit])
        var claimed: [OutboxMail] = []
        for row in rows {
            var mail = OutboxMail(row: row)
            try db.executeCached(
                sql: "UPDATE mail_outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                arguments: [now.addingTimeInterval(lease).storedSeconds, mail.id])
            mail.attempts += 1
            mail.status = "sending"
            claimed.append(mail)
        }
        return claimed
    }

    public func markMailSent(id: Int64, at now: Date) throws {
        try db.executeCached(
            sql: "UPDATE mail_outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
            arguments: [now.storedSeconds, id])
    }

    /// Records a failed attempt: retried at `retryAt`, or given up on when it is nil.
    public func markMailAttemptFailed(id: Int64, error: String, retryAt: Date?) throws {
        try db.executeCached(
            sql:
                "UPDATE mail_outbox SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL, last_error = ? WHERE id = ?",
            arguments: [retryAt == nil ? "failed" : "queued", retryAt?.storedSeconds, error, id])
    }

    public func outboxCounts() throws -> OutboxCounts {
        var counts = OutboxCounts()
        for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status") {
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

    public func failedMail() throws -> [OutboxMail] {
        try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox WHERE status = 'failed' ORDER BY id").map(OutboxMail.init(row:))
    }

    /// The earliest time a queued message becomes due, for the sender thread's sleep.
    public func nextMailDue() throws -> Date? {
        try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE status = 'queued'").map(Date.init(storedSeconds:))
    }

    public func purgeSentMail(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM mail_outbox WHERE status = 'sent' AND sent_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}

extension Store {
    /// Every message in the outbox, oldest first (for tests and diagnostics).
    public func allOutboxMessages(recipient: String? = nil) throws -> [[UInt8]] {
        let rows: [Data]
        if let recipient {
            rows = try Data.fetchAll(
                db.cachedStatement(sql: "SELECT message FROM mail_outbox WHERE recipient = ? ORDER BY id"), arguments: [recipient])
        } else {
            rows = try Data.fetchAll(db, sql: "SELECT message FROM mail_outbox ORDER BY id")
        }
        return rows.map { [UInt8]($0) }
    }
}
