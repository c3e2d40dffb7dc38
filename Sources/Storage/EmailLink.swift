import Foundation
import GRDB

/// What an e-mailed link lets its holder do.
public enum EmailLinkPurpose: String, Sendable {
    case setPassword = "set_password"
    case resetPassword = "reset_password"
    case confirmEmail = "confirm_email"
    case unlock
}

/// A single-use link sent by e-mail; only the SHA-256 of its token is stored.
public struct EmailLink: Sendable {
    public var id: Int64
    public var purpose: EmailLinkPurpose
    public var accountID: Int64
    public var newEmail: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    init(row: Row) {
        id = row["id"]
        purpose = EmailLinkPurpose(rawValue: row["purpose"]) ?? .unlock
        accountID = row["account_id"]
        newEmail = row["new_email"]
        createdAt = Date(storedSeconds: row["created_at"])
        expiresAt = Date(storedSeconds: row["expires_at"])
        usedAt = (row["used_at"] as Double?).map(Date.init(storedSeconds:))
    }
}

extension Store {
    public func insertEmailLink(
        tokenHash: [UInt8], purpose: EmailLinkPurpose, accountID: Int64, newEmail: String? = nil, at now: Date, expiresAt: Date
    ) throws {
        try db.executeCached(
            sql: "INSERT INTO email_link (token_hash, purpose, account_id, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [Data(tokenHash), purpose.rawValue, accountID, newEmail, now.storedSeconds, expiresAt.storedSeconds])
    }

    public func emailLink(tokenHash: [UInt8]) throws -> EmailLink? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM email_link WHERE token_hash = ?"), arguments: [Data(tokenHash)], EmailLink.init(row:))
    }

    /// Marks the link used; false when another request used it first.
    public func consumeEmailLink(id: Int64, at now: Date) throws -> Bool {
        try db.executeCached(sql: "UPDATE email_link SET used_at = ? WHERE id = ? AND used_at IS NULL", arguments: [now.storedSeconds, id])
        return db.changesCount == 1
    }

    /// Makes every unused link of this purpose unusable, so that only the newest one works.
    public func retireEmailLinks(accountID: Int64, purpose: EmailLinkPurpose, at now: Date) throws {
        try db.executeCached(
            sql: "UPDATE email_link SET used_at = ? WHERE account_id = ? AND purpose = ? AND used_at IS NULL",
            arguments: [now.storedSeconds, accountID, purpose.rawValue])
    }

    public func purgeEmailLinks(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM email_link WHERE expires_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }

    /// Removes pending registrations whose every link has expired.
    public func purgeAbandonedRegistrations(before cutoff: Date) throws -> Int {
        try db.executeCached(
            sql: """
                DELETE FROM account WHERE status = 'pending' AND created_at < ?
                AND NOT EXISTS (SELECT 1 FROM email_link l WHERE l.account_id = account.id AND l.expires_at >= ?)
                """,
            arguments: [cutoff.storedSeconds, cutoff.storedSeconds])
        return db.changesCount
    }
}
