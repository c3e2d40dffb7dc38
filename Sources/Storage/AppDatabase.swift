internal import CSQLite
import Foundation
import GRDB

/// The appliance's one SQLite database: opened in WAL mode through a pool, migrated at start.
/// Every write is a method named by its intent and runs in one transaction.
public final class AppDatabase: Sendable {
    let writer: any DatabaseWriter
    let group = GroupWriter()
    /// The database file, for the read connections each thread opens for itself (nil: in memory, reads go to `writer`).
    let path: String?

    /// Opens (creating if needed) the database file and runs pending migrations. `read` uses a connection of each
    /// thread's own; the pool's `readers` serve the few whole-database reads (integrity check, backup).
    public static func open(path: String, readers: Int = 2) throws -> AppDatabase {
        _ = sqliteConfigured
        var configuration = Configuration()
        configuration.maximumReaderCount = max(1, readers)
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        return try AppDatabase(pool, path: path)
    }

    /// SQLite keeps memory statistics behind one process-wide mutex taken on every allocation; with a connection
    /// per worker thread that mutex was contended on every statement (in a C measurement of the session look-up on
    /// 64 connections, 14.7 µs per look-up with statistics, 5.6 µs without). Nothing here reads the statistics.
    /// Runs once, before the first connection opens: SQLite accepts this setting only before it initialises.
    private static let sqliteConfigured: Void = {
        _ = la_sqlite_disable_memory_statistics()
    }()

    /// Whether SQLite counts its memory after all (it did initialise before `sqliteConfigured`): for tests.
    static var sqliteCountsMemory: Bool { sqlite3_memory_used() > 0 }

    /// A fresh private in-memory database, for tests.
    public static func inMemory() throws -> AppDatabase {
        _ = sqliteConfigured
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        return try AppDatabase(DatabaseQueue(configuration: configuration))
    }

    init(_ writer: any DatabaseWriter, path: String? = nil) throws {
        self.writer = writer
        self.path = path
        try Schema.migrator.migrate(writer)
    }

    /// `PRAGMA integrity_check`'s verdict: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Writes a consistent copy of the whole database to `path` while writers go on.
    public func backup(to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try writer.backup(to: destination)
    }

    /// Folds the WAL back into the main file; called by maintenance.
    public func checkpoint() throws {
        if let pool = writer as? DatabasePool {
            try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        }
    }
}

extension Date {
    var storedSeconds: Double { timeIntervalSince1970 }
    init(storedSeconds: Double) { self.init(timeIntervalSince1970: storedSeconds) }
}
