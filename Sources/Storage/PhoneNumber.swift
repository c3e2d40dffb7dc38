import Foundation
import GRDB

/// A verified mobile phone number of an account, in E.164 form.
public struct PhoneNumberRecord: Sendable, Equatable {
    public var number: String
    public var createdAt: Date

    init(row: Row) {
        number = row["number"]
        createdAt = Date(storedSeconds: row["created_at"])
    }
}

extension Store {
    /// The account's verified numbers, oldest first.
    public func phoneNumbers(accountID: Int64) throws -> [PhoneNumberRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT number, created_at FROM phone_number WHERE account_id = ? ORDER BY id"),
            arguments: [accountID]
        )
        .map(PhoneNumberRecord.init(row:))
    }

    /// Records a verified number; false when the account already had it.
    public func addPhoneNumber(accountID: Int64, number: String, at now: Date) throws -> Bool {
        try db.executeCached(
            sql: "INSERT OR IGNORE INTO phone_number (account_id, number, created_at) VALUES (?, ?, ?)",
            arguments: [accountID, number, now.storedSeconds])
        return db.changesCount == 1
    }

    /// Removes one number and the codes sent to it; false when the account did not have it.
    public func deletePhoneNumber(accountID: Int64, number: String) throws -> Bool {
        try db.executeCached(sql: "DELETE FROM phone_number WHERE account_id = ? AND number = ?", arguments: [accountID, number])
        let removed = db.changesCount == 1
        try db.executeCached(sql: "DELETE FROM sms_challenge WHERE account_id = ? AND number = ?", arguments: [accountID, number])
        return removed
    }

    /// Removes every number of the account and every code in flight (the emergency removal of second factors).
    public func deletePhoneNumbers(accountID: Int64) throws {
        try db.executeCached(sql: "DELETE FROM phone_number WHERE account_id = ?", arguments: [accountID])
        try db.executeCached(sql: "DELETE FROM sms_challenge WHERE account_id = ?", arguments: [accountID])
    }
}
