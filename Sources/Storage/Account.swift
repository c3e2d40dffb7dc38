import Foundation
import GRDB

/// Where an account is in its life.
public enum AccountStatus: String, Sendable {
    /// Registered, waiting for its owner to choose a password from the e-mailed link.
    case pending
    case active
    case disabled
}

/// A person's account.
public struct Account: Sendable, Equatable {
    public var id: Int64
    /// The stable public identifier released to services.
    public var uid: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var emailLanguage: String
    public var passwordHash: String?
    public var status: AccountStatus
    public var failedSignIns: Int
    public var throttledUntil: Date?
    public var locked: Bool
    public var createdAt: Date
    public var passwordChangedAt: Date?

    /// The columns `init(_:)` reads, in its order, for a query that names the account table `a`.
    static let columns = """
        a.id, a.uid, a.email, a.first_name, a.last_name, a.email_language, a.password_hash, a.status, a.failed_sign_ins,
        a.throttled_until, a.locked, a.created_at, a.password_changed_at
        """

    init(_ columns: inout ColumnReader) throws {
        id = try columns.read()
        uid = try columns.read()
        email = try columns.read()
        firstName = try columns.read()
        lastName = try columns.read()
        emailLanguage = try columns.read()
        passwordHash = columns.readOptional()
        status = AccountStatus(rawValue: try columns.read()) ?? .disabled
        failedSignIns = try columns.read()
        throttledUntil = columns.readOptionalDate()
        locked = try columns.read()
        createdAt = try columns.readDate()
        passwordChangedAt = columns.readOptionalDate()
    }
}

/// What is needed to create an account.
public struct NewAccount: Sendable {
    public var uid: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var emailLanguage: String
    public var passwordHash: String?
    public var status: AccountStatus

    public init(
        uid: String, email: String, firstName: String, lastName: String, emailLanguage: String, passwordHash: String? = nil,
        status: AccountStatus = .pending
    ) {
        self.uid = uid
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.emailLanguage = emailLanguage
        self.passwordHash = passwordHash
        self.status = status
    }
}

extension Store {
    public func account(email: String) throws -> Account? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT \(Account.columns) FROM account a WHERE a.email = ?"), arguments: [email], Account.init)
    }

    public func account(id: Int64) throws -> Account? {
        try fetchFirst(db.cachedStatement(sql: "SELECT \(Account.columns) FROM account a WHERE a.id = ?"), arguments: [id], Account.init)
    }

    public func allAccounts() throws -> [Account] {
        try fetchAll(db.makeStatement(sql: "SELECT \(Account.columns) FROM account a ORDER BY a.email"), Account.init)
    }

    public func createAccount(_ new: NewAccount, at now: Date) throws -> Account {
        try db.executeCached(
            sql: """
                INSERT INTO account (uid, email, first_name, last_name, email_language, password_hash, status, created_at, password_changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                new.uid, new.email, new.firstName, new.lastName, new.emailLanguage, new.passwordHash,
                new.status.rawValue, now.storedSeconds, new.passwordHash == nil ? nil : now.storedSeconds,
            ])
        return try account(id: db.lastInsertedRowID)!
    }

    /// Sets a new password, activates a pending account and clears every failure and lock.
    public func setPassword(accountID: Int64, hash: String, at now: Date) throws {
        try db.executeCached(
            sql: """
                UPDATE account SET password_hash = ?, password_changed_at = ?, failed_sign_ins = 0, throttled_until = NULL, locked = 0,
                    status = CASE status WHEN 'pending' THEN 'active' ELSE status END
                WHERE id = ?
                """,
            arguments: [hash, now.storedSeconds, accountID])
    }

    public func updateProfile(accountID: Int64, firstName: String, lastName: String, emailLanguage: String) throws {
        try db.executeCached(
            sql: "UPDATE account SET first_name = ?, last_name = ?, email_language = ? WHERE id = ?",
            arguments: [firstName, lastName, emailLanguage, accountID])
    }

    public func changeEmail(accountID: Int64, to email: String) throws {
        try db.executeCached(sql: "UPDATE account SET email = ? WHERE id = ?", arguments: [email, accountID])
    }

    public func setStatus(accountID: Int64, _ status: AccountStatus) throws {
        try db.executeCached(sql: "UPDATE account SET status = ? WHERE id = ?", arguments: [status.rawValue, accountID])
    }

    /// Records one more consecutive failed sign-in and the throttle or lock it earned.
    public func recordFailedSignIn(accountID: Int64, failures: Int, throttledUntil: Date?, locked: Bool) throws {
        try db.executeCached(
            sql: "UPDATE account SET failed_sign_ins = ?, throttled_until = ?, locked = ? WHERE id = ?",
            arguments: [failures, throttledUntil?.storedSeconds, locked, accountID])
    }

    public func recordSuccessfulSignIn(accountID: Int64) throws {
        try db.executeCached(
            sql:
                "UPDATE account SET failed_sign_ins = 0, throttled_until = NULL WHERE id = ? AND (failed_sign_ins != 0 OR throttled_until IS NOT NULL)",
            arguments: [accountID])
    }

    public func unlockAccount(accountID: Int64) throws {
        try db.executeCached(
            sql: "UPDATE account SET failed_sign_ins = 0, throttled_until = NULL, locked = 0 WHERE id = ?",
            arguments: [accountID])
    }

    /// Removes the account and, through cascades, its sessions and links; scrubs its address from the audit log.
    public func deleteAccount(accountID: Int64) throws {
        try db.executeCached(sql: "UPDATE audit_log SET email = NULL WHERE account_id = ?", arguments: [accountID])
        try db.executeCached(sql: "DELETE FROM account WHERE id = ?", arguments: [accountID])
    }
}
