import Foundation
import GRDB

/// One security event as written to the audit log.
public struct AuditEntry: Sendable {
    public var at: Date
    public var event: String
    public var accountID: Int64?
    public var email: String?
    public var ip: String
    public var userAgent: String
    public var detail: String
}

extension Store {
    public func appendAudit(
        event: String, accountID: Int64?, email: String?, ip: String, userAgent: String, detail: String = "", at now: Date
    ) throws {
        try db.executeCached(
            sql: "INSERT INTO audit_log (at, event, account_id, email, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [now.storedSeconds, event, accountID, email, ip, userAgent, detail])
    }

    public func auditEntries(accountID: Int64? = nil, limit: Int = 100) throws -> [AuditEntry] {
        let rows: [Row]
        if let accountID {
            rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM audit_log WHERE account_id = ? ORDER BY id DESC LIMIT ?"),
                arguments: [accountID, limit])
        } else {
            rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?"), arguments: [limit])
        }
        return rows.map {
            AuditEntry(
                at: Date(storedSeconds: $0["at"]), event: $0["event"], accountID: $0["account_id"], email: $0["email"],
                ip: $0["ip"], userAgent: $0["user_agent"], detail: $0["detail"])
        }
    }
}
