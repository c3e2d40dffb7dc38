import Foundation
import GRDB
import Testing

@testable import Storage

/// Accounts and sessions are read by column position: every field must come back from the column it was written to,
/// through each query that reads them.
@Suite struct RecordColumnsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let token: [UInt8] = Array(repeating: 7, count: 32)

    /// An account whose every field differs from every other, with one live session.
    func populated() throws -> (AppDatabase, Account) {
        let db = try AppDatabase.inMemory()
        let account = try db.write { store -> Account in
            _ = try store.createAccount(
                NewAccount(uid: "uid-first", email: "first@example.org", firstName: "F", lastName: "L", emailLanguage: "en"), at: t0)
            var account = try store.createAccount(
                NewAccount(
                    uid: "uid-7", email: "ada@example.org", firstName: "Ada", lastName: "Lovelace", emailLanguage: "fr",
                    passwordHash: "$argon2id$hash", status: .active), at: t0.addingTimeInterval(1))
            try store.setPassword(accountID: account.id, hash: "$argon2id$second", at: t0.addingTimeInterval(2))
            try store.recordFailedSignIn(accountID: account.id, failures: 3, throttledUntil: t0.addingTimeInterval(90), locked: true)
            account = try #require(try store.account(id: account.id))
            try store.insertSession(
                idHash: token, accountID: account.id, level: "two-factor", methods: "password,totp", at: t0.addingTimeInterval(10),
                expiresAt: t0.addingTimeInterval(3600), ip: "192.0.2.4", userAgent: "Test Browser")
            return account
        }
        return (db, account)
    }

    @Test func anAccountReadsBackEveryField() throws {
        let (db, account) = try populated()
        #expect(account.uid == "uid-7")
        #expect(account.email == "ada@example.org")
        #expect(account.firstName == "Ada")
        #expect(account.lastName == "Lovelace")
        #expect(account.emailLanguage == "fr")
        #expect(account.passwordHash == "$argon2id$second")
        #expect(account.status == .active)
        #expect(account.failedSignIns == 3)
        #expect(account.throttledUntil == t0.addingTimeInterval(90))
        #expect(account.locked)
        #expect(account.createdAt == t0.addingTimeInterval(1))
        #expect(account.passwordChangedAt == t0.addingTimeInterval(2))
        #expect(try db.read { try $0.account(email: "ADA@example.org") } == account)
        let all = try db.read { try $0.allAccounts() }
        #expect(all.map(\.email) == ["ada@example.org", "first@example.org"])
        #expect(all.last?.passwordHash == nil)
        #expect(all.last?.throttledUntil == nil)
        #expect(all.last?.passwordChangedAt == nil)
        #expect(all.last?.status == .pending)
    }

    /// The session look-up binds and steps its statement itself: each call must see only its own token and time, and
    /// leave the cached statement as GRDB expects it (the same statement run through GRDB in between).
    @Test func theDirectSessionLookUpBindsEachCallsOwnValues() throws {
        let (db, account) = try populated()
        let other: [UInt8] = Array(repeating: 8, count: 32)
        try db.write { store in
            try store.insertSession(
                idHash: other, accountID: account.id, level: "password", methods: "password", at: t0, expiresAt: t0.addingTimeInterval(60),
                ip: "192.0.2.5", userAgent: "Other")
        }
        try db.readOneStatement { store in
            for _ in 0..<3 {
                #expect(try store.activeSession(idHash: token, at: t0.addingTimeInterval(20))?.0.userAgent == "Test Browser")
                #expect(try store.activeSession(idHash: other, at: t0.addingTimeInterval(20))?.0.userAgent == "Other")
                #expect(try store.activeSession(idHash: other, at: t0.addingTimeInterval(61)) == nil)  // expired
                #expect(try store.activeSession(idHash: [], at: t0) == nil)
                #expect(try store.activeSession(idHash: Array(token.dropLast()), at: t0) == nil)
                let throughGRDB = try Row.fetchAll(
                    store.db.cachedStatement(sql: Store.activeSessionQuery), arguments: [Data(other), t0.storedSeconds])
                #expect(throughGRDB.count == 1)
            }
        }
    }

    /// A step that fails reaches the caller as SQLite's error with the statement's SQL, and the next call works again.
    @Test func aFailingDirectLookUpThrowsSQLitesError() throws {
        let (db, _) = try populated()
        try db.write { store in
            #expect(try store.activeSession(idHash: token, at: t0) != nil)  // prepares and caches the statement
            try store.db.execute(sql: "ALTER TABLE sso_session RENAME TO sso_session_moved")
            let error = #expect(throws: DatabaseError.self) { try store.activeSession(idHash: token, at: t0) }
            #expect(error?.message?.contains("sso_session") == true)
            #expect(error?.sql == Store.activeSessionQuery)
            try store.db.execute(sql: "ALTER TABLE sso_session_moved RENAME TO sso_session")
            #expect(try store.activeSession(idHash: token, at: t0) != nil)
        }
    }

    @Test func aSessionAndItsAccountReadBackEveryFieldThroughEachQuery() throws {
        let (db, account) = try populated()
        let (session, owner) = try #require(try db.readOneStatement { try $0.activeSession(idHash: token, at: t0.addingTimeInterval(20)) })
        #expect(owner == account)
        #expect(session.accountID == account.id)
        #expect(session.level == "two-factor")
        #expect(session.methods == "password,totp")
        #expect(session.createdAt == t0.addingTimeInterval(10))
        #expect(session.verifiedAt == t0.addingTimeInterval(10))
        #expect(session.lastSeenAt == t0.addingTimeInterval(10))
        #expect(session.expiresAt == t0.addingTimeInterval(3600))
        #expect(session.ip == "192.0.2.4")
        #expect(session.userAgent == "Test Browser")
        #expect(try db.read { try $0.sessions(accountID: account.id) }.map(\.id) == [session.id])

        try db.write { store in
            try store.issueServiceTicket(
                ticketHash: [1], service: "wiki", serviceURL: "https://wiki.example.org/", sessionID: session.id, fromNewLogin: true,
                proxies: ["https://b.example.org/", "https://a.example.org/"], at: t0.addingTimeInterval(30),
                expiresAt: t0.addingTimeInterval(40))
        }
        let ticket = try #require(
            try db.write { try $0.consumeServiceTicket(ticketHash: [1], at: t0.addingTimeInterval(31)) { _ in "ST" } })
        #expect(ticket.service == "wiki")
        #expect(ticket.serviceURL == "https://wiki.example.org/")
        #expect(ticket.fromNewLogin)
        #expect(ticket.expiresAt == t0.addingTimeInterval(40))
        #expect(!ticket.wasUsed)
        #expect(ticket.proxies == ["https://b.example.org/", "https://a.example.org/"])
        #expect(ticket.session.id == session.id)
        #expect(ticket.session.verifiedAt == session.verifiedAt)
        #expect(ticket.account == account)
        let again = try #require(try db.write { try $0.consumeServiceTicket(ticketHash: [1], at: t0.addingTimeInterval(32)) { _ in "ST" } })
        #expect(again.wasUsed)
    }

    @Test func aSessionFromBeforeVerificationTimesWereKeptCountsFromItsStart() throws {
        let (db, _) = try populated()
        try db.write { try $0.db.execute(sql: "UPDATE sso_session SET verified_at = NULL") }
        let (session, _) = try #require(try db.read { try $0.activeSession(idHash: token, at: t0.addingTimeInterval(20)) })
        #expect(session.verifiedAt == session.createdAt)
        try db.write {
            try $0.upgradeSession(id: session.id, idHash: token, level: "two-factor", methods: "totp", at: t0.addingTimeInterval(25))
        }
        let upgraded = try #require(try db.read { try $0.activeSession(idHash: token, at: t0.addingTimeInterval(26)) })
        #expect(upgraded.0.verifiedAt == t0.addingTimeInterval(25))
        #expect(upgraded.0.createdAt == t0.addingTimeInterval(10))
    }

    @Test func aMissingValueIsAnErrorNamingItsColumn() throws {
        let db = try AppDatabase.inMemory()
        #expect(throws: ColumnReader.UnexpectedValue.self) {
            try db.read { store in
                try store.fetchFirst(store.db.makeStatement(sql: "SELECT 1 AS present, NULL AS absent"), arguments: []) { columns in
                    let present: Int64 = try columns.read()
                    #expect(present == 1)
                    return try columns.read(String.self)
                }
            }
        }
        let optional = try db.read { store in
            try store.fetchFirst(store.db.makeStatement(sql: "SELECT NULL AS absent"), arguments: []) { $0.readOptional(String.self) }
        }
        #expect(optional == .some(nil))
        do {
            _ = try db.read { store in
                try store.fetchFirst(store.db.makeStatement(sql: "SELECT NULL AS absent"), arguments: []) { try $0.readDate() }
            }
            Issue.record("a NULL date was read")
        } catch let error as ColumnReader.UnexpectedValue {
            #expect(error.description.contains("absent"))
        }
    }
}

@Suite struct SQLiteSetUpTests {
    @Test func sqliteKeepsNoMemoryStatisticsOnceADatabaseIsOpen() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try AppDatabase.open(path: directory.appendingPathComponent("test.sqlite").path)
        _ = try db.read { try $0.allAccounts() }
        #expect(!AppDatabase.sqliteCountsMemory)
    }
}
