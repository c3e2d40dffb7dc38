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

extension Store {
    public func enqueueMail(messageID: String, recipient: String, message: [UInt8], at now: Date) throws {
        try db.executeCached(
            sql:
                "INSERT INTO mail_outbox (message_id, recipient, message, status, next_attempt_at, created_at) VALUES (?, ?, ?, 'queued', ?, ?)",
            arguments: [messageID, recipient, Data(message), now.storedSeconds, now.storedSeconds])
    }

    /// Takes up to `limit` due messages for delivery under a lease (see `OutboxTable`).
    public func claimDueMail(at now: Date, lease: TimeInterval, limit: Int) throws -> [OutboxMail] {
        try claimDue(.mail, at: now, lease: lease, limit: limit).map { row in
            var mail = OutboxMail(row: row)
            mail.attempts += 1
            mail.status = "sending"
            return mail
        }
    }

    public func failedMail() throws -> [OutboxMail] {
        try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox WHERE status = 'failed' ORDER BY id").map(OutboxMail.init(row:))
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
