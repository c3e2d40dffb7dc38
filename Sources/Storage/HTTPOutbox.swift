import Foundation
import GRDB

/// A form POST waiting in the back-channel outbox (a CAS single-logout request, say).
public struct OutboxPost: Sendable {
    public var id: Int64
    public var purpose: String
    public var url: String
    public var body: [UInt8]
    public var attempts: Int

    init(row: Row) {
        id = row["id"]
        purpose = row["purpose"]
        url = row["url"]
        body = [UInt8]((row["body"] as Data?) ?? Data())
        attempts = row["attempts"]
    }
}

extension Store {
    /// Queues a POST of `body` (form-encoded) to `url`, delivered with the outbox's retries.
    public func enqueuePost(purpose: String, url: String, body: [UInt8], at now: Date) throws {
        try db.executeCached(
            sql: "INSERT INTO http_outbox (purpose, url, body, status, next_attempt_at, created_at) VALUES (?, ?, ?, 'queued', ?, ?)",
            arguments: [purpose, url, Data(body), now.storedSeconds, now.storedSeconds])
    }

    /// Takes up to `limit` due POSTs under a lease (see `OutboxTable`).
    public func claimDuePosts(at now: Date, lease: TimeInterval, limit: Int) throws -> [OutboxPost] {
        try claimDue(.http, at: now, lease: lease, limit: limit).map { row in
            var post = OutboxPost(row: row)
            post.attempts += 1
            return post
        }
    }
}
