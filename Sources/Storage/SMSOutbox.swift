import Foundation
import GRDB

/// A text message waiting in, or done with, the SMS outbox.
public struct OutboxSMS: Sendable {
    public var id: Int64
    public var messageID: String
    public var recipient: String
    public var text: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date

    init(row: Row) {
        id = row["id"]
        messageID = row["message_id"]
        recipient = row["recipient"]
        text = row["text"]
        attempts = row["attempts"]
        lastError = row["last_error"]
        createdAt = Date(storedSeconds: row["created_at"])
    }
}

extension Store {
    public func enqueueSMS(messageID: String, recipient: String, text: String, at now: Date) throws {
        try db.executeCached(
            sql:
                "INSERT INTO sms_outbox (message_id, recipient, text, status, next_attempt_at, created_at) VALUES (?, ?, ?, 'queued', ?, ?)",
            arguments: [messageID, recipient, text, now.storedSeconds, now.storedSeconds])
    }

    /// Takes up to `limit` due messages under a lease (see `OutboxTable`).
    public func claimDueSMS(at now: Date, lease: TimeInterval, limit: Int) throws -> [OutboxSMS] {
        try claimDue(.sms, at: now, lease: lease, limit: limit).map { row in
            var sms = OutboxSMS(row: row)
            sms.attempts += 1
            return sms
        }
    }

    public func failedSMS() throws -> [OutboxSMS] {
        try Row.fetchAll(db, sql: "SELECT * FROM sms_outbox WHERE status = 'failed' ORDER BY id").map(OutboxSMS.init(row:))
    }

    /// Every message in the SMS outbox, oldest first (for tests and diagnostics).
    public func allOutboxSMS() throws -> [OutboxSMS] {
        try Row.fetchAll(db, sql: "SELECT * FROM sms_outbox ORDER BY id").map(OutboxSMS.init(row:))
    }
}
