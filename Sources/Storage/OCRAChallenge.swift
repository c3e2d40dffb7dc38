import Foundation
import GRDB

/// A challenge shown for an OCRA token, found by the hash of its reference.
public struct OCRAChallengeRecord: Sendable {
    public var id: Int64
    public var tokenID: Int64
    public var accountID: Int64
    public var question: String
    public var expiresAt: Date
    public var failures: Int
    public var usedAt: Date?

    init(row: Row) {
        id = row["id"]
        tokenID = row["token_id"]
        accountID = row["account_id"]
        question = row["question"]
        expiresAt = Date(storedSeconds: row["expires_at"])
        failures = row["failures"]
        usedAt = (row["used_at"] as Double?).map(Date.init(storedSeconds:))
    }
}

extension Store {
    public func insertOCRAChallenge(referenceHash: [UInt8], tokenID: Int64, accountID: Int64, question: String, expiresAt: Date) throws {
        try db.executeCached(
            sql: "INSERT INTO ocra_challenge (reference_hash, token_id, account_id, question, expires_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [Data(referenceHash), tokenID, accountID, question, expiresAt.storedSeconds])
    }

    public func ocraChallenge(referenceHash: [UInt8]) throws -> OCRAChallengeRecord? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM ocra_challenge WHERE reference_hash = ?"), arguments: [Data(referenceHash)],
            OCRAChallengeRecord.init(row:))
    }

    /// Counts a wrong response; the new number of failures.
    public func recordOCRAChallengeFailure(id: Int64) throws -> Int {
        try db.executeCached(sql: "UPDATE ocra_challenge SET failures = failures + 1 WHERE id = ?", arguments: [id])
        return try Int.fetchOne(db, sql: "SELECT failures FROM ocra_challenge WHERE id = ?", arguments: [id]) ?? Int.max
    }

    /// Uses the challenge up; false when a concurrent request used it first.
    public func consumeOCRAChallenge(id: Int64, at now: Date) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE ocra_challenge SET used_at = ? WHERE id = ? AND used_at IS NULL", arguments: [now.storedSeconds, id])
        return db.changesCount == 1
    }

    public func purgeOCRAChallenges(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM ocra_challenge WHERE expires_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
