import Foundation
import Storage
import Testing

@Suite struct OutboxTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func queue(_ db: AppDatabase, count: Int) throws {
        try db.write { store in
            for i in 0..<count {
                try store.enqueueMail(messageID: "<\(i)@test>", recipient: "r\(i)@example.org", message: Array("m\(i)".utf8), at: start)
            }
        }
    }

    @Test func aClaimedMessageIsNotClaimedAgainWhileItsLeaseLasts() throws {
        let db = try AppDatabase.inMemory()
        try queue(db, count: 3)
        let first = try db.write { try $0.claimDueMail(at: start, lease: 300, limit: 2) }
        let second = try db.write { try $0.claimDueMail(at: start.addingTimeInterval(1), lease: 300, limit: 10) }
        #expect(first.count == 2)
        #expect(second.count == 1)
        #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        #expect(try db.write { try $0.claimDueMail(at: start.addingTimeInterval(2), lease: 300, limit: 10) }.isEmpty)
    }

    @Test func aMessageWhoseSenderDiedComesDueAgainAfterTheLease() throws {
        let db = try AppDatabase.inMemory()
        try queue(db, count: 1)
        let claimed = try db.write { try $0.claimDueMail(at: start, lease: 300, limit: 1) }
        // The sender is killed here: the message is neither sent nor failed.
        let early = try db.write { try $0.claimDueMail(at: start.addingTimeInterval(299), lease: 300, limit: 1) }
        let late = try db.write { try $0.claimDueMail(at: start.addingTimeInterval(301), lease: 300, limit: 1) }
        #expect(early.isEmpty)
        #expect(late.map(\.id) == claimed.map(\.id))
        #expect(late.first?.attempts == 2)
    }

    @Test func sentMessagesAreNeverClaimedAgain() throws {
        let db = try AppDatabase.inMemory()
        try queue(db, count: 1)
        let mail = try #require(try db.write { try $0.claimDueMail(at: start, lease: 1, limit: 1) }.first)
        try db.write { try $0.markSent(.mail, id: mail.id, at: start) }
        #expect(try db.write { try $0.claimDueMail(at: start.addingTimeInterval(3600), lease: 1, limit: 1) }.isEmpty)
        #expect(try db.read { try $0.outboxCounts() }.sent == 1)
    }

    @Test func aFailedAttemptWaitsForItsRetryTimeOrGivesUp() throws {
        let db = try AppDatabase.inMemory()
        try queue(db, count: 2)
        let claimed = try db.write { try $0.claimDueMail(at: start, lease: 300, limit: 2) }
        try db.write { try $0.markAttemptFailed(.mail, id: claimed[0].id, error: "451 try later", retryAt: start.addingTimeInterval(60)) }
        try db.write { try $0.markAttemptFailed(.mail, id: claimed[1].id, error: "550 no such user", retryAt: nil) }
        #expect(try db.write { try $0.claimDueMail(at: start.addingTimeInterval(59), lease: 300, limit: 5) }.isEmpty)
        #expect(try db.write { try $0.claimDueMail(at: start.addingTimeInterval(60), lease: 300, limit: 5) }.map(\.id) == [claimed[0].id])
        let failed = try db.read { try $0.failedMail() }
        #expect(failed.map(\.lastError) == ["550 no such user"])
    }
}
