internal import CSQLite
import Foundation
import GRDB

/// Reads one result row's columns in the order they were selected, straight from the prepared statement.
///
/// Used for the records read on every request (a session and its account). GRDB's `Row` builds an index of
/// lower-cased column names for every fetch; for the session look-up's 23 columns that index cost about as much
/// as running the query, and reading by position needs none. The SELECT lists these records use come from the same
/// type that reads them (`SSOSession.columns`, `Account.columns`), so the order cannot drift apart.
struct ColumnReader {
    /// A column held NULL, or a value of a kind that cannot be read as the expected type.
    struct UnexpectedValue: Error, CustomStringConvertible {
        let column: String
        var description: String { "unexpected NULL or value in column \(column)" }
    }

    private let statement: Statement
    private let sqliteStatement: SQLiteStatement
    private var index: CInt = 0

    fileprivate init(statement: Statement, sqliteStatement: SQLiteStatement) {
        self.statement = statement
        self.sqliteStatement = sqliteStatement
    }

    /// The next column, which must not be NULL.
    mutating func read<T: StatementColumnConvertible>(_: T.Type = T.self) throws -> T {
        defer { index += 1 }
        guard let value = T.fromStatement(sqliteStatement, atUncheckedIndex: index) else {
            throw UnexpectedValue(column: statement.columnNames[Int(index)])
        }
        return value
    }

    /// The next column, nil when NULL.
    mutating func readOptional<T: StatementColumnConvertible>(_: T.Type = T.self) -> T? {
        defer { index += 1 }
        return T.fromStatement(sqliteStatement, atUncheckedIndex: index)
    }

    mutating func readDate() throws -> Date { Date(storedSeconds: try read(Double.self)) }

    mutating func readOptionalDate() -> Date? { readOptional(Double.self).map(Date.init(storedSeconds:)) }
}

/// Steps a statement and decodes each row with a `ColumnReader`.
private final class ColumnCursor<Element>: DatabaseCursor {
    let _statement: Statement
    var _isDone = false
    private let decode: (inout ColumnReader) throws -> Element

    init(statement: Statement, arguments: StatementArguments, decode: @escaping (inout ColumnReader) throws -> Element) throws {
        _statement = statement
        self.decode = decode
        // Resets the statement and binds the arguments, as GRDB's own cursors do on creation.
        try statement.setArguments(arguments)
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> Element {
        var reader = ColumnReader(statement: _statement, sqliteStatement: sqliteStatement)
        return try decode(&reader)
    }
}

extension Store {
    /// The first row of `statement`, read by column position. The statement is stepped to its end, which ends
    /// SQLite's implicit read transaction of a statement run outside a transaction.
    func fetchFirst<T>(_ statement: Statement, arguments: StatementArguments, _ decode: @escaping (inout ColumnReader) throws -> T) throws
        -> T?
    {
        let cursor = try ColumnCursor(statement: statement, arguments: arguments, decode: decode)
        guard let value = try cursor.next() else { return nil }
        while try cursor.next() != nil {}
        return value
    }

    /// The first row of a read-only `statement`, bound by `bind` and stepped through SQLite directly: for the look-up
    /// every signed-in request makes, where GRDB's cursor (argument values boxed and validated, execution hooks for
    /// observation and transactions, a lock for its suspension checks) cost about as much as the query. A SELECT
    /// needs none of those hooks. `bind` may bind borrowed memory: the bindings are cleared before this returns. The
    /// statement is reset first as well, since GRDB may have left its own last run of it unfinished.
    func fetchFirstDirect<T>(
        _ statement: Statement, bind: (SQLiteStatement) -> Void, _ decode: (inout ColumnReader) throws -> T
    ) throws -> T? {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        bind(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            var reader = ColumnReader(statement: statement, sqliteStatement: handle)
            return try decode(&reader)
        case SQLITE_DONE:
            return nil
        case let code:
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }

    /// Every row of `statement`, read by column position.
    func fetchAll<T>(_ statement: Statement, arguments: StatementArguments = [], _ decode: @escaping (inout ColumnReader) throws -> T)
        throws
        -> [T]
    {
        try Array(ColumnCursor(statement: statement, arguments: arguments, decode: decode))
    }
}
