import GRDB

/// The view of the database inside one read or one write transaction. Its methods, spread over
/// one file per aggregate, are the only place SQL is written.
public struct Store {
    let db: Database
}

extension AppDatabase {
    /// Runs `body` in one write transaction: all its writes land together or not at all.
    public func write<T>(_ body: (Store) throws -> T) throws -> T {
        try writer.write { db in try body(Store(db: db)) }
    }

    /// Runs `body` on a consistent snapshot, concurrently with writers.
    public func read<T>(_ body: (Store) throws -> T) throws -> T {
        try writer.read { db in try body(Store(db: db)) }
    }
}

extension Database {
    /// Runs an update through the statement cache: the same few statements run on every request,
    /// and preparing them anew each time (with GRDB's authorizer) costs more than running them.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
