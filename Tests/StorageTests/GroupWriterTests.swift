import Foundation
import GRDB
import Testing

@testable import Storage

@Suite struct GroupWriterTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    struct Refused: Error {}

    /// Opens a file database (a pool, as `serve` uses) in a fresh directory.
    func fileDatabase() throws -> AppDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try AppDatabase.open(path: directory.appendingPathComponent("test.sqlite").path)
    }

    /// Holds the writer with a first write (to bucket "first") while `queue` starts `count` more writes, waits until
    /// they all wait behind it, lets it finish, and waits for every write to return.
    func behindAHeldWrite(_ db: AppDatabase, count: Int, _ queue: (DispatchGroup) -> Void) throws {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        onThread(group) {
            _ = try? db.writeTogether { store in
                started.signal()
                release.wait()
                return try store.countRateLimitHit(bucket: "first", window: 60, at: self.t0)
            }
        }
        started.wait()
        queue(group)
        let deadline = Date().addingTimeInterval(10)
        while db.group.waitingCount < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        try #require(db.group.waitingCount == count)
        release.signal()
        group.wait()
    }

    @Test func writesThatArriveWhileOneIsWritingShareTheNextTransaction() throws {
        let db = try fileDatabase()
        let results = ResultsBox()
        try behindAHeldWrite(db, count: 8) { group in
            for _ in 0..<8 {
                onThread(group) {
                    results.add(try? db.writeTogether { try $0.countRateLimitHit(bucket: "b", window: 60, at: self.t0) })
                }
            }
        }
        #expect(results.values.sorted() == Array(1...8))
        #expect(db.group.counts.transactions == 2 && db.group.counts.jobs == 9)
        #expect(try db.read { try $0.rateLimitCount(bucket: "b", window: 60, at: t0) } == 8)
        #expect(try db.read { try $0.rateLimitCount(bucket: "first", window: 60, at: t0) } == 1)
    }

    @Test func aWriteThatFailsIsUndoneAloneAndItsCallerGetsTheError() throws {
        let db = try fileDatabase()
        let failures = ResultsBox()
        try behindAHeldWrite(db, count: 2) { group in
            onThread(group) {
                do {
                    _ = try db.writeTogether { store -> Int in
                        _ = try store.countRateLimitHit(bucket: "undone", window: 60, at: self.t0)
                        throw Refused()
                    }
                } catch is Refused {
                    failures.add(1)
                } catch {}
            }
            onThread(group) {
                _ = try? db.writeTogether { try $0.countRateLimitHit(bucket: "kept", window: 60, at: self.t0) }
            }
        }
        #expect(failures.values == [1])
        #expect(db.group.counts.transactions == 2 && db.group.counts.jobs == 3)
        #expect(try db.read { try $0.rateLimitCount(bucket: "kept", window: 60, at: t0) } == 1)
        #expect(try db.read { try $0.rateLimitCount(bucket: "undone", window: 60, at: t0) } == 0)
    }

    @Test func whenTheTransactionItselfFailsEveryWriteInItGetsTheError() throws {
        let db = try fileDatabase()
        try #require(db.writer as? DatabasePool).close()
        // The pool's own error reaches the caller (not the "did not run" fallback), and the next write is not left
        // waiting for a transaction that ended.
        for _ in 0..<2 {
            let error = #expect(throws: DatabaseError.self) {
                try db.writeTogether { try $0.countRateLimitHit(bucket: "b", window: 60, at: t0) }
            }
            #expect(error != nil && error?.message != "group write did not run")
        }
        #expect(db.group.counts.transactions == 2)
    }

    @Test func aLoneWriteThatFailsIsUndoneWithItsTransaction() throws {
        let db = try fileDatabase()
        #expect(throws: Refused.self) {
            try db.writeTogether { store -> Int in
                _ = try store.countRateLimitHit(bucket: "undone", window: 60, at: self.t0)
                throw Refused()
            }
        }
        #expect(try db.read { try $0.rateLimitCount(bucket: "undone", window: 60, at: t0) } == 0)
        #expect(try db.writeTogether { try $0.countRateLimitHit(bucket: "kept", window: 60, at: t0) } == 1)
        #expect(db.group.counts.transactions == 2 && db.group.counts.jobs == 2)
    }

    /// Many threads writing at once: every write lands exactly once, none is left waiting, and transactions are shared.
    @Test func aCrowdOfWritesAllLandOnceAndShareTransactions() throws {
        let db = try fileDatabase()
        let group = DispatchGroup()
        let results = ResultsBox()
        for _ in 0..<48 {
            onThread(group) {
                for _ in 0..<25 {
                    results.add(try? db.writeTogether { try $0.countRateLimitHit(bucket: "crowd", window: 60, at: self.t0) })
                }
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(results.values.sorted() == Array(1...1200))
        #expect(db.group.counts.jobs == 1200)
        #expect(db.group.counts.transactions < 1200)
        #expect(db.group.waitingCount == 0)
    }

    @Test func aLoneWriteRunsAtOnceInItsOwnTransaction() throws {
        let db = try AppDatabase.inMemory()
        #expect(try db.writeTogether { try $0.countRateLimitHit(bucket: "b", window: 60, at: t0) } == 1)
        #expect(try db.writeTogether { try $0.countRateLimitHit(bucket: "b", window: 60, at: t0) } == 2)
        #expect(db.group.counts.transactions == 2)
    }
}

/// Runs `body` on a thread of its own: GCD's pool would not start more threads for jobs blocked on a condition.
func onThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread.detachNewThread {
        body()
        group.leave()
    }
}

/// Results gathered from several threads.
final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Int] = []
    func add(_ value: Int?) { if let value { lock.withLock { collected.append(value) } } }
    var values: [Int] { lock.withLock { collected } }
}

@Suite struct ThreadReaderTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func eachThreadReadsThroughItsOwnConnectionAndSeesEveryCommittedWrite() throws {
        let db = try GroupWriterTests().fileDatabase()
        let path = try #require(db.path)
        let mine = try ThreadReaders.connection(path: path)
        #expect(try ThreadReaders.connection(path: path) === mine)
        let group = DispatchGroup()
        let seen = ResultsBox()
        for round in 1...3 {
            _ = try db.write { try $0.countRateLimitHit(bucket: "b", window: 60, at: t0) }
            #expect(try db.read { try $0.rateLimitCount(bucket: "b", window: 60, at: t0) } == round)
            #expect(try db.readOneStatement { try $0.rateLimitCount(bucket: "b", window: 60, at: t0) } == round)
            onThread(group) {
                seen.add(try? db.read { try $0.rateLimitCount(bucket: "b", window: 60, at: self.t0) })
                // Another thread's connection is not this one's (0 for a different one).
                seen.add((try? ThreadReaders.connection(path: path)).map { $0 === mine ? 1 : 0 })
            }
            group.wait()
        }
        #expect(seen.values == [1, 0, 2, 0, 3, 0])
        // The connections only read.
        #expect(throws: (any Error).self) {
            try ThreadReaders.connection(path: path).inDatabase { try $0.execute(sql: "DELETE FROM rate_limit") }
        }
    }
}
