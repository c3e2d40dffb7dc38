import Foundation
import Storage
import Testing

@Suite struct RateLimitTests {
    @Test func countsWithinTheWindowAndStartsAgainAfterIt() throws {
        let db = try AppDatabase.inMemory()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let counts = try (0..<3).map { i in
            try db.write { try $0.countRateLimitHit(bucket: "b", window: 60, at: t0.addingTimeInterval(Double(i))) }
        }
        #expect(counts == [1, 2, 3])
        #expect(try db.read { try $0.rateLimitCount(bucket: "b", window: 60, at: t0.addingTimeInterval(59)) } == 3)
        #expect(try db.read { try $0.rateLimitCount(bucket: "b", window: 60, at: t0.addingTimeInterval(60)) } == 0)
        #expect(try db.write { try $0.countRateLimitHit(bucket: "b", window: 60, at: t0.addingTimeInterval(61)) } == 1)
        #expect(try db.write { try $0.countRateLimitHit(bucket: "other", window: 60, at: t0) } == 1)
    }

    @Test func emailLinksAreUsableOnce() throws {
        let db = try AppDatabase.inMemory()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let account = try db.write {
            try $0.createAccount(NewAccount(uid: "u1", email: "a@example.org", firstName: "A", lastName: "B", emailLanguage: "en"), at: now)
        }
        try db.write {
            try $0.insertEmailLink(
                tokenHash: [1, 2, 3], purpose: .setPassword, accountID: account.id, at: now, expiresAt: now.addingTimeInterval(10))
        }
        let link = try #require(try db.read { try $0.emailLink(tokenHash: [1, 2, 3]) })
        #expect(try db.write { try $0.consumeEmailLink(id: link.id, at: now) })
        #expect(try !db.write { try $0.consumeEmailLink(id: link.id, at: now) })
    }

    @Test func deletingAnAccountRemovesItsSessionsAndLinks() throws {
        let db = try AppDatabase.inMemory()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let account = try db.write {
            try $0.createAccount(
                NewAccount(
                    uid: "u1", email: "a@example.org", firstName: "A", lastName: "B", emailLanguage: "en", passwordHash: "h",
                    status: .active), at: now)
        }
        try db.write { store in
            try store.insertSession(
                idHash: [9], accountID: account.id, level: "password", methods: "password", at: now, expiresAt: now.addingTimeInterval(60),
                ip: "ip", userAgent: "ua")
            try store.insertEmailLink(
                tokenHash: [1], purpose: .resetPassword, accountID: account.id, at: now, expiresAt: now.addingTimeInterval(60))
            try store.deleteAccount(accountID: account.id)
        }
        #expect(try db.read { try $0.activeSession(idHash: [9], at: now) } == nil)
        #expect(try db.read { try $0.emailLink(tokenHash: [1]) } == nil)
        #expect(try db.integrityCheck() == "ok")
    }
}
