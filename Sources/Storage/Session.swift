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

    init(row: Row) {
        id = row["id"]
        accountID = row["account_id"]
        level = row["level"]
        methods = row["methods"]
        createdAt = Date(storedSeconds: row["created_at"])
        verifiedAt = (row["verified_at"] as Double?).map(Date.init(storedSeconds:)) ?? createdAt
        lastSeenAt = Date(storedSeconds: row["last_seen_at"])
        expiresAt = Date(storedSeconds: row["expires_at"])
        ip = row["ip"]
        userAgent = row["user_agent"]
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

    /// The live session and its account in one indexed lookup.
    public func activeSession(idHash: [UInt8], at now: Date) throws -> (SSOSession, Account)? {
        let sql = """
            SELECT s.id AS s_id, s.account_id, s.level, s.methods, s.created_at AS s_created_at, s.verified_at, s.last_seen_at,
                   s.expires_at, s.ip, s.user_agent, a.*
            FROM sso_session s JOIN account a ON a.id = s.account_id
            WHERE s.id_hash = ? AND s.expires_at > ? AND a.status = 'active'
            """
        return try fetchFirst(db.cachedStatement(sql: sql), arguments: [Data(idHash), now.storedSeconds]) { row in
            var session = SSOSession(row: row)
            session.id = row["s_id"]
            session.createdAt = Date(storedSeconds: row["s_created_at"])
            return (session, Account(row: row))
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
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM sso_session WHERE account_id = ? ORDER BY created_at DESC"), arguments: [accountID]
        )
        .map(SSOSession.init(row:))
    }

    public func purgeSessions(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM sso_session WHERE expires_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
