import Foundation
import GRDB

/// An account's authenticator app (TOTP), its secret sealed.
public struct AuthenticatorRecord: Sendable {
    public enum Status: String, Sendable {
        case pending
        case active
    }

    public var id: Int64
    public var accountID: Int64
    public var status: Status
    public var sealedSecret: [UInt8]
    public var lastStep: UInt64?
    public var createdAt: Date

    init(row: Row) {
        id = row["id"]
        accountID = row["account_id"]
        status = Status(rawValue: row["status"]) ?? .pending
        sealedSecret = [UInt8]((row["sealed_secret"] as Data?) ?? Data())
        lastStep = (row["last_step"] as Int64?).map { UInt64($0) }
        createdAt = Date(storedSeconds: row["created_at"])
    }
}

extension Store {
    public func authenticator(accountID: Int64, status: AuthenticatorRecord.Status) throws -> AuthenticatorRecord? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM authenticator WHERE account_id = ? AND status = ?"),
            arguments: [accountID, status.rawValue], AuthenticatorRecord.init(row:))
    }

    /// Starts an enrolment with a new secret, forgetting any earlier unconfirmed one.
    public func replacePendingAuthenticator(accountID: Int64, sealedSecret: [UInt8], at now: Date) throws {
        try db.executeCached(sql: "DELETE FROM authenticator WHERE account_id = ? AND status = 'pending'", arguments: [accountID])
        try db.executeCached(
            sql: "INSERT INTO authenticator (account_id, status, sealed_secret, created_at) VALUES (?, 'pending', ?, ?)",
            arguments: [accountID, Data(sealedSecret), now.storedSeconds])
    }

    /// Confirms the pending app, which replaces any active one; the confirming code's step is already used.
    public func activatePendingAuthenticator(id: Int64, accountID: Int64, confirmedStep: UInt64) throws {
        try db.executeCached(sql: "DELETE FROM authenticator WHERE account_id = ? AND status = 'active'", arguments: [accountID])
        try db.executeCached(
            sql: "UPDATE authenticator SET status = 'active', last_step = ? WHERE id = ? AND account_id = ?",
            arguments: [Int64(confirmedStep), id, accountID])
    }

    /// Records an accepted code's step; false when a concurrent request already used this step or a later one.
    public func consumeAuthenticatorStep(id: Int64, step: UInt64) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE authenticator SET last_step = ? WHERE id = ? AND (last_step IS NULL OR last_step < ?)",
            arguments: [Int64(step), id, Int64(step)])
        return db.changesCount == 1
    }

    public func deleteAuthenticators(accountID: Int64) throws {
        try db.executeCached(sql: "DELETE FROM authenticator WHERE account_id = ?", arguments: [accountID])
    }
}
