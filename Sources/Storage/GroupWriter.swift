import Foundation
import GRDB

/// Gathers writes from concurrent requests into one transaction ("group commit"). SQLite runs one write
/// transaction at a time; under load, each paid its own BEGIN, COMMIT and hand-off to the writer. Here the first
/// request to arrive writes for everyone waiting, then the next one does for those who came meanwhile: alone, a
/// request writes at once; under load, a transaction holds many. Each write runs in its own savepoint, so that one
/// that fails is undone alone.
final class GroupWriter: @unchecked Sendable {
    final class Job {
        /// Runs the write inside the shared transaction and keeps its own outcome.
        let run: (Database) -> Void
        fileprivate var done = false
        fileprivate var transactionError: (any Error)?

        init(run: @escaping (Database) -> Void) {
            self.run = run
        }
    }

    private let condition = NSCondition()
    private var waiting: [Job] = []
    private var writing = false
    private var written = (transactions: 0, jobs: 0)

    /// Transactions written and the jobs they held, for tests and measurements.
    var counts: (transactions: Int, jobs: Int) { condition.withLock { written } }

    /// Writes waiting for the transaction in progress to end, for tests.
    var waitingCount: Int { condition.withLock { waiting.count } }

    /// Returns once `job` has run and its transaction has committed; throws if the transaction itself failed.
    func run(_ job: Job, on writer: any DatabaseWriter) throws {
        condition.lock()
        waiting.append(job)
        while !job.done {
            if writing {
                condition.wait()
                continue
            }
            writing = true
            let batch = waiting
            waiting.removeAll(keepingCapacity: true)
            condition.unlock()
            var failure: (any Error)?
            do {
                try writer.write { db in
                    for queued in batch { queued.run(db) }
                }
            } catch {
                failure = error
            }
            condition.lock()
            for queued in batch {
                queued.transactionError = failure
                queued.done = true
            }
            written.transactions += 1
            written.jobs += batch.count
            writing = false
            condition.broadcast()
        }
        let failure = job.transactionError
        condition.unlock()
        if let failure { throw failure }
    }
}

extension AppDatabase {
    /// Runs `body` in a write transaction it may share with concurrent `writeTogether` calls (each in a savepoint of
    /// its own). For short, frequent writes of independent rows, such as burning service tickets.
    public func writeTogether<T>(_ body: @escaping (Store) throws -> T) throws -> T {
        var outcome: Result<T, any Error>?
        let job = GroupWriter.Job { db in
            do {
                var value: T?
                try db.inSavepoint {
                    value = try body(Store(db: db))
                    return .commit
                }
                outcome = value.map { .success($0) }
            } catch {
                outcome = .failure(error)
            }
        }
        try group.run(job, on: writer)
        guard let outcome else { throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "group write did not run") }
        return try outcome.get()
    }
}
