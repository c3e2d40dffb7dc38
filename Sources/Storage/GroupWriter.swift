import Foundation
import GRDB

/// Gathers writes from concurrent requests into one transaction ("group commit"). SQLite runs one write
/// transaction at a time; under load, each paid its own BEGIN, COMMIT and hand-off to the writer. Here the first
/// request to arrive writes for everyone waiting, then hands the next transaction to one of those who came
/// meanwhile: alone, a request writes at once; under load, a transaction holds many. In a shared transaction each
/// write runs in its own savepoint, so that one that fails is undone alone.
final class GroupWriter: @unchecked Sendable {
    final class Job {
        /// Runs the write; throws its error after keeping it, so that a write alone in its transaction undoes it.
        let perform: (Database) throws -> Void
        /// Set when its transaction has ended; a job woken while not done was chosen to write the next one.
        fileprivate var done = false
        fileprivate var transactionError: (any Error)?
        /// Each waiting request sleeps on its own semaphore: waking every waiting thread for each transaction (one
        /// condition, broadcast) showed in profiles as futex and scheduler time.
        fileprivate let wake = DispatchSemaphore(value: 0)

        init(perform: @escaping (Database) throws -> Void) {
            self.perform = perform
        }
    }

    private let lock = NSLock()
    private var waiting: [Job] = []
    private var writing = false
    private var written = (transactions: 0, jobs: 0)

    /// Transactions written and the jobs they held, for tests and measurements.
    var counts: (transactions: Int, jobs: Int) { lock.withLock { written } }

    /// Writes waiting for the transaction in progress to end, for tests.
    var waitingCount: Int { lock.withLock { waiting.count } }

    /// Returns once `job` has run and its transaction has committed; throws if the transaction itself failed.
    func run(_ job: Job, on writer: any DatabaseWriter) throws {
        lock.lock()
        waiting.append(job)
        if writing {
            lock.unlock()
            job.wake.wait()
            lock.lock()
            if job.done {
                let failure = job.transactionError
                lock.unlock()
                if let failure { throw failure }
                return
            }
            // Elected: `writing` stays true, handed over from the previous writer.
        } else {
            writing = true
        }
        let batch = waiting
        waiting.removeAll(keepingCapacity: true)
        lock.unlock()

        let failure = Self.write(batch, on: writer)

        lock.lock()
        for queued in batch {
            queued.transactionError = failure
            queued.done = true
        }
        written.transactions += 1
        written.jobs += batch.count
        let next = waiting.first
        if next == nil { writing = false }
        lock.unlock()
        for queued in batch where queued !== job { queued.wake.signal() }
        next?.wake.signal()
        if let failure { throw failure }
    }

    private static func write(_ batch: [Job], on writer: any DatabaseWriter) -> (any Error)? {
        do {
            if batch.count == 1 {
                // Alone, the transaction is the savepoint: a failing write rolls it back.
                try writer.write { db in try batch[0].perform(db) }
            } else {
                try writer.write { db in
                    for queued in batch { try inSavepoint(db, queued.perform) }
                }
            }
            return nil
        } catch {
            return error
        }
    }

    /// Runs `perform` in a savepoint, undoing its writes if it throws; the error stays with the job. GRDB's own
    /// `inSavepoint` parses its SAVEPOINT and RELEASE statements anew each time; these are prepared once.
    private static func inSavepoint(_ db: Database, _ perform: (Database) throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT group_write").execute()
        do {
            try perform(db)
        } catch {
            try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT group_write").execute()
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT group_write").execute()
    }
}

extension AppDatabase {
    /// Runs `body` in a write transaction it may share with concurrent `writeTogether` calls (each in a savepoint of
    /// its own). For short, frequent writes of independent rows, such as burning service tickets.
    public func writeTogether<T>(_ body: @escaping (Store) throws -> T) throws -> T {
        var outcome: Result<T, any Error>?
        let job = GroupWriter.Job { db in
            do {
                outcome = .success(try body(Store(db: db)))
            } catch {
                outcome = .failure(error)
                throw error
            }
        }
        do {
            try group.run(job, on: writer)
        } catch {
            // A write alone in its transaction fails it with its own error: the caller gets that error either way.
            if case .failure(let own)? = outcome { throw own }
            throw error
        }
        guard let outcome else { throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "group write did not run") }
        return try outcome.get()
    }
}
