import Foundation
import GRDB

extension Store {
    /// Counts one event in `bucket`'s fixed window and returns the count including it.
    public func countRateLimitHit(bucket: String, window: TimeInterval, at now: Date) throws -> Int {
        try db.executeCached(
            sql: """
                INSERT INTO rate_limit (bucket, window_start, count) VALUES (?, ?, 1)
                ON CONFLICT(bucket) DO UPDATE SET
                    count = CASE WHEN window_start + ? <= excluded.window_start THEN 1 ELSE count + 1 END,
                    window_start = CASE WHEN window_start + ? <= excluded.window_start THEN excluded.window_start ELSE window_start END
                """,
            arguments: [bucket, now.storedSeconds, window, window])
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT count FROM rate_limit WHERE bucket = ?"), arguments: [bucket]) ?? 1
    }

    /// The events counted in `bucket`'s current window, without counting one more.
    public func rateLimitCount(bucket: String, window: TimeInterval, at now: Date) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT count FROM rate_limit WHERE bucket = ? AND window_start + ? > ?",
            arguments: [bucket, window, now.storedSeconds]) ?? 0
    }

    public func purgeRateLimits(olderThan cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM rate_limit WHERE window_start < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
