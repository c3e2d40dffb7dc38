import GRDB

/// The view of the database inside one read or one write transaction. Its methods, spread over
/// one file per aggregate, are the only place SQL is written.
public struct Store {
    let db: Database

    /// The first row of `statement`, decoded by column name while SQLite still holds it (GRDB builds its name index
    /// once per fetch; a copied row from `Row.fetchOne` would lower-case every column name on each lookup). The
    /// records read on every request are read by position instead (`ColumnReader`).
    func fetchFirst<T>(_ statement: Statement, arguments: StatementArguments, _ decode: (Row) throws -> T) throws -> T? {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        guard let row = try cursor.next() else { return nil }
        let value = try decode(row)
        while try cursor.next() != nil {}
        return value
    }
}

extension AppDatabase {
    /// Runs `body` in one write transaction: all its writes land together or not at all.
    public func write<T>(_ body: (Store) throws -> T) throws -> T {
        try writer.write { db in try body(Store(db: db)) }
    }

    /// Runs `body` on a consistent snapshot, concurrently with writers, on the calling thread's own connection.
    public func read<T>(_ body: (Store) throws -> T) throws -> T {
        guard let path else { return try writer.read { db in try body(Store(db: db)) } }
        return try ThreadReaders.connection(path: path).read { db in try body(Store(db: db)) }
    }

    /// Runs `body`, which must run one SQL statement, without a transaction around it: a single statement reads one
    /// consistent state by itself, and BEGIN and COMMIT cost about as much as the session look-up every signed-in
    /// request makes.
    public func readOneStatement<T>(_ body: (Store) throws -> T) throws -> T {
        guard let path else { return try writer.read { db in try body(Store(db: db)) } }
        return try ThreadReaders.connection(path: path).unsafeRead { db in try body(Store(db: db)) }
    }
}

extension Database {
    /// Runs an update through the statement cache: the same few statements run on every request,
    /// and preparing them anew each time (with GRDB's authorizer) costs more than running them.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
