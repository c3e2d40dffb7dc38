import Foundation
import GRDB

/// An imported OATH hardware token, its secret sealed; linked to an account or free.
public struct HardwareTokenRecord: Sendable {
    public var id: Int64
    public var serial: String
    public var kind: String
    public var sealedSecret: [UInt8]
    public var digits: Int
    public var algorithm: String
    public var period: Int
    public var ocraSuite: String?
    public var counter: UInt64
    public var lastStep: UInt64?
    public var resyncCounter: UInt64?
    public var accountID: Int64?
    public var linkedAt: Date?
    public var importedAt: Date

    init(row: Row) {
        id = row["id"]
        serial = row["serial"]
        kind = row["kind"]
        sealedSecret = [UInt8]((row["sealed_secret"] as Data?) ?? Data())
        digits = row["digits"]
        algorithm = row["algorithm"]
        period = row["period"]
        ocraSuite = row["ocra_suite"]
        counter = UInt64(max(0, row["counter"] as Int64))
        lastStep = (row["last_step"] as Int64?).map { UInt64(max(0, $0)) }
        resyncCounter = (row["resync_counter"] as Int64?).map { UInt64(max(0, $0)) }
        accountID = row["account_id"]
        linkedAt = (row["linked_at"] as Double?).map(Date.init(storedSeconds:))
        importedAt = Date(storedSeconds: row["imported_at"])
    }
}

/// A new token as the import writes it.
public struct NewHardwareToken: Sendable {
    public var serial: String
    public var kind: String
    public var sealedSecret: [UInt8]
    public var digits: Int
    public var algorithm: String
    public var period: Int
    public var ocraSuite: String?
    public var counter: UInt64

    public init(
        serial: String, kind: String, sealedSecret: [UInt8], digits: Int, algorithm: String, period: Int, ocraSuite: String?,
        counter: UInt64
    ) {
        self.serial = serial
        self.kind = kind
        self.sealedSecret = sealedSecret
        self.digits = digits
        self.algorithm = algorithm
        self.period = period
        self.ocraSuite = ocraSuite
        self.counter = counter
    }
}

extension Store {
    public func hardwareToken(serial: String) throws -> HardwareTokenRecord? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM hardware_token WHERE serial = ?"), arguments: [serial], HardwareTokenRecord.init(row:))
    }

    public func hardwareTokens(accountID: Int64) throws -> [HardwareTokenRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM hardware_token WHERE account_id = ? ORDER BY serial"), arguments: [accountID]
        )
        .map(HardwareTokenRecord.init(row:))
    }

    /// Every token with its holder's e-mail address (nil when free), by serial, for the operator.
    public func allHardwareTokens() throws -> [(token: HardwareTokenRecord, email: String?)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT hardware_token.*, account.email AS holder FROM hardware_token
                LEFT JOIN account ON account.id = hardware_token.account_id ORDER BY serial
                """
        )
        .map { (HardwareTokenRecord(row: $0), $0["holder"]) }
    }

    /// Adds a token; false (and nothing changed) when its serial is already known.
    public func insertHardwareToken(_ token: NewHardwareToken, at now: Date) throws -> Bool {
        try db.executeCached(
            sql: """
                INSERT INTO hardware_token (serial, kind, sealed_secret, digits, algorithm, period, ocra_suite, counter, imported_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO NOTHING
                """,
            arguments: [
                token.serial, token.kind, Data(token.sealedSecret), token.digits, token.algorithm, token.period, token.ocraSuite,
                Int64(token.counter), now.storedSeconds,
            ])
        return db.changesCount == 1
    }

    /// Links a free token; false when someone else linked it first.
    public func linkHardwareToken(id: Int64, accountID: Int64, at now: Date) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE hardware_token SET account_id = ?, linked_at = ? WHERE id = ? AND account_id IS NULL",
            arguments: [accountID, now.storedSeconds, id])
        return db.changesCount == 1
    }

    /// Frees one of the account's tokens; false when it is not (or no longer) the account's.
    public func unlinkHardwareToken(id: Int64, accountID: Int64) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE hardware_token SET account_id = NULL WHERE id = ? AND account_id = ?", arguments: [id, accountID])
        return db.changesCount == 1
    }

    /// Frees every token of the account (the emergency removal of all second factors).
    public func unlinkHardwareTokens(accountID: Int64) throws {
        try db.executeCached(sql: "UPDATE hardware_token SET account_id = NULL WHERE account_id = ?", arguments: [accountID])
    }

    /// Moves the token's counter past an accepted code; false when a concurrent request moved it first.
    public func advanceHardwareTokenCounter(id: Int64, from expected: UInt64, to next: UInt64) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE hardware_token SET counter = ?, resync_counter = NULL WHERE id = ? AND counter = ?",
            arguments: [Int64(next), id, Int64(expected)])
        return db.changesCount == 1
    }

    /// Remembers a code matched beyond the look-ahead window, for the resynchronisation by the next code.
    public func setHardwareTokenResync(id: Int64, counter: UInt64?) throws {
        try db.executeCached(
            sql: "UPDATE hardware_token SET resync_counter = ? WHERE id = ?", arguments: [counter.map { Int64($0) }, id])
    }

    /// Records an accepted code's time step; false when this step or a later one was already used.
    public func consumeHardwareTokenStep(id: Int64, step: UInt64) throws -> Bool {
        try db.executeCached(
            sql: "UPDATE hardware_token SET last_step = ? WHERE id = ? AND (last_step IS NULL OR last_step < ?)",
            arguments: [Int64(step), id, Int64(step)])
        return db.changesCount == 1
    }
}

extension Store {
    public func hardwareToken(id: Int64) throws -> HardwareTokenRecord? {
        try fetchFirst(
            db.cachedStatement(sql: "SELECT * FROM hardware_token WHERE id = ?"), arguments: [id], HardwareTokenRecord.init(row:))
    }
}
