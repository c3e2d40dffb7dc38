import Foundation
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

    @Test func writesThatArriveWhileOneIsWritingShareTheNextTransaction() throws {
        let db = try fileDatabase()
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let results = ResultsBox()
        onThread(group) {
            results.add(
                try? db.writeTogether { store -> Int in
                    started.signal()
                    release.wait()
                    return try store.countRateLimitHit(bucket: "b", window: 60, at: self.t0)
                })
        }
        started.wait()
        for _ in 0..<8 {
            onThread(group) {
                results.add(try? db.writeTogether { try $0.countRateLimitHit(bucket: "b", window: 60, at: self.t0) })
            }
        }
        Thread.sleep(forTimeInterval: 0.3)  // the eight are queued behind the first by now
        release.signal()
        group.wait()
        #expect(results.values.sorted() == Array(1...9))
        #expect(db.group.counts.transactions == 2 && db.group.counts.jobs == 9)
        #expect(try db.read { try $0.rateLimitCount(bucket: "b", window: 60, at: t0) } == 9)
    }

    @Test func aWriteThatFailsIsUndoneAloneAndItsCallerGetsTheError() throws {
        let db = try fileDatabase()
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let failures = ResultsBox()
        onThread(group) {
            _ = try? db.writeTogether { store in
                started.signal()
                release.wait()
                return try store.countRateLimitHit(bucket: "kept", window: 60, at: self.t0)
            }
        }
        started.wait()
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
        Thread.sleep(forTimeInterval: 0.3)
        release.signal()
        group.wait()
        #expect(failures.values == [1])
        #expect(db.group.counts.transactions == 2 && db.group.counts.jobs == 3)
        #expect(try db.read { try $0.rateLimitCount(bucket: "kept", window: 60, at: t0) } == 2)
        #expect(try db.read { try $0.rateLimitCount(bucket: "undone", window: 60, at: t0) } == 0)
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
