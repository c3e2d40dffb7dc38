internal import CSQLite
import Foundation
import GRDB

/// A single-sign-on session; the browser holds the token, the database its SHA-256.
public struct SSOSession: Sendable {
    public var id: Int64
    public var accountID: Int64
    public var level: String
    public var methods: String
    public var createdAt: Date
    /// The last full verification (sign-in or step-up).
    public var verifiedAt: Date
    public var lastSeenAt: Date
    public var expiresAt: Date
    public var ip: String
    public var userAgent: String

    /// The columns `init(_:)` reads, in its order, for a query that names the session table `s`.
    static let columns =
        "s.id, s.account_id, s.level, s.methods, s.created_at, s.verified_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent"

    init(_ columns: inout ColumnReader) throws {
        id = try columns.read()
        accountID = try columns.read()
        level = try columns.read()
        methods = try columns.read()
        createdAt = try columns.readDate()
        verifiedAt = columns.readOptionalDate() ?? createdAt
        lastSeenAt = try columns.readDate()
        expiresAt = try columns.readDate()
        ip = try columns.read()
        userAgent = try columns.read()
    }
}

extension Store {
    public func insertSession(
        idHash: [UInt8], accountID: Int64, level: String, methods: String, at now: Date, expiresAt: Date, ip: String, userAgent: String
    ) throws {
        try db.executeCached(
            sql: """
                INSERT INTO sso_session (id_hash, account_id, level, methods, created_at, verified_at, last_seen_at, expires_at, ip, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Data(idHash), accountID, level, methods, now.storedSeconds, now.storedSeconds, now.storedSeconds, expiresAt.storedSeconds,
                ip, userAgent,
            ])
    }

    static let activeSessionQuery = """
        SELECT \(SSOSession.columns), \(Account.columns)
        FROM sso_session s JOIN account a ON a.id = s.account_id
        WHERE s.id_hash = ? AND s.expires_at > ? AND a.status = 'active'
        """

    /// The live session and its account in one indexed lookup.
    public func activeSession(idHash: [UInt8], at now: Date) throws -> (SSOSession, Account)? {
        try idHash.withUnsafeBytes { hash in
            try fetchFirstDirect(
                db.cachedStatement(sql: Self.activeSessionQuery),
                bind: { statement in
                    sqlite3_bind_blob(statement, 1, hash.baseAddress, CInt(hash.count), nil)
                    sqlite3_bind_double(statement, 2, now.storedSeconds)
                }
            ) { columns in (try SSOSession(&columns), try Account(&columns)) }
        }
    }

    public func touchSession(id: Int64, at now: Date) throws {
        try db.executeCached(sql: "UPDATE sso_session SET last_seen_at = ? WHERE id = ?", arguments: [now.storedSeconds, id])
    }

    /// A step-up or re-verification: the session keeps its services and lifetime, with a new token (so a token
    /// seen before the stronger verification is worth nothing), its new level and methods, and a new verification time.
    public func upgradeSession(id: Int64, idHash: [UInt8], level: String, methods: String, at now: Date) throws {
        try db.executeCached(
            sql: "UPDATE sso_session SET id_hash = ?, level = ?, methods = ?, verified_at = ?, last_seen_at = ? WHERE id = ?",
            arguments: [Data(idHash), level, methods, now.storedSeconds, now.storedSeconds, id])
    }

    public func deleteSession(id: Int64) throws {
        try db.executeCached(sql: "DELETE FROM sso_session WHERE id = ?", arguments: [id])
    }

    public func deleteSessions(accountID: Int64) throws {
        try db.executeCached(sql: "DELETE FROM sso_session WHERE account_id = ?", arguments: [accountID])
    }

    public func sessions(accountID: Int64) throws -> [SSOSession] {
        try fetchAll(
            db.cachedStatement(sql: "SELECT \(SSOSession.columns) FROM sso_session s WHERE s.account_id = ? ORDER BY s.created_at DESC"),
            arguments: [accountID], SSOSession.init)
    }

    public func purgeSessions(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM sso_session WHERE expires_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
