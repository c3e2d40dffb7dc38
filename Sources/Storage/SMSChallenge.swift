import Foundation
import GRDB

/// A code sent by SMS, known only by hashes: of the code and of the reference the browser holds.
public struct SMSChallengeRecord: Sendable, Equatable {
    public enum Purpose: String, Sendable {
        case addPhone = "add-phone"
        case signIn = "sign-in"
    }

    public var id: Int64
    public var accountID: Int64
    public var purpose: Purpose
    public var number: String
    public var codeHash: [UInt8]
    public var failures: Int
    public var sends: Int
    public var lastSentAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    init(row: Row) {
        id = row["id"]
        accountID = row["account_id"]
        purpose = Purpose(rawValue: row["purpose"]) ?? .signIn
        number = row["number"]
        codeHash = [UInt8]((row["code_hash"] as Data?) ?? Data())
        failures = row["failures"]
        sends = row["sends"]
        lastSentAt = Date(storedSeconds: row["last_sent_at"])
        expiresAt = Date(storedSeconds: row["expires_at"])
        usedAt = (row["used_at"] as Double?).map(Date.init(storedSeconds:))
    }
}

/// What a new SMS challenge is made of.
public struct NewSMSChallenge: Sendable {
    public var referenceHash: [UInt8]
    public var accountID: Int64
    public var purpose: SMSChallengeRecord.Purpose
    public var number: String
    public var codeHash: [UInt8]
    public var expiresAt: Date

    public init(
        referenceHash: [UInt8], accountID: Int64, purpose: SMSChallengeRecord.Purpose, number: String, codeHash: [UInt8], expiresAt: Date
    ) {
        self.referenceHash = referenceHash
        self.accountID = accountID
        self.purpose = purpose
        self.number = number
        self.codeHash = codeHash
        self.expiresAt = expiresAt
    }
}

extension Store {
    public func createSMSChallenge(_ new: NewSMSChallenge, at now: Date) throws {
        try db.executeCached(
            sql: """
                INSERT INTO sms_challenge (reference_hash, account_id, purpose, number, code_hash, last_sent_at, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Data(new.referenceHash), new.accountID, new.purpose.rawValue, new.number, Data(new.codeHash), now.storedSeconds,
                now.storedSeconds, new.expiresAt.storedSeconds,
            ])
    }

    public func smsChallenge(referenceHash: [UInt8]) throws -> SMSChallengeRecord? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM sms_challenge WHERE reference_hash = ?"), arguments: [Data(referenceHash)],
            SMSChallengeRecord.init(row:))
    }

    /// The account's newest challenge for `purpose`, used or not.
    public func latestSMSChallenge(accountID: Int64, purpose: SMSChallengeRecord.Purpose) throws -> SMSChallengeRecord? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM sms_challenge WHERE account_id = ? AND purpose = ? ORDER BY id DESC LIMIT 1"),
            arguments: [accountID, purpose.rawValue], SMSChallengeRecord.init(row:))
    }

    public func deleteSMSChallenges(accountID: Int64, purpose: SMSChallengeRecord.Purpose) throws {
        try db.executeCached(
            sql: "DELETE FROM sms_challenge WHERE account_id = ? AND purpose = ?", arguments: [accountID, purpose.rawValue])
    }

    /// Counts a wrong answer and returns the failures so far.
    public func recordSMSChallengeFailure(id: Int64) throws -> Int {
        try db.executeCached(sql: "UPDATE sms_challenge SET failures = failures + 1 WHERE id = ?", arguments: [id])
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT failures FROM sms_challenge WHERE id = ?"), arguments: [id]) ?? 0
    }

    /// Marks the challenge used; false when it already was.
    public func consumeSMSChallenge(id: Int64, at now: Date) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE sms_challenge SET used_at = ? WHERE id = ? AND used_at IS NULL", arguments: [now.storedSeconds, id])
        return db.changesCount == 1
    }

    /// A new code for a resend: the failures carry over.
    public func replaceSMSChallengeCode(id: Int64, codeHash: [UInt8], expiresAt: Date, at now: Date) throws {
        try db.executeCached(
            sql: "UPDATE sms_challenge SET code_hash = ?, sends = sends + 1, last_sent_at = ?, expires_at = ? WHERE id = ?",
            arguments: [Data(codeHash), now.storedSeconds, expiresAt.storedSeconds, id])
    }

    public func purgeSMSChallenges(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM sms_challenge WHERE expires_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
