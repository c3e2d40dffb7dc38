import Foundation
import GRDB

/// A read-only connection per thread and database file. GRDB's reader pool hands its connections out through
/// dispatch-queue barriers that every concurrent request contends for: measured on the signed-in page, about three
/// more context switches per request and half of its throughput. A worker thread reading through a connection of its
/// own contends with nobody; WAL mode lets all of them read while the pool's writer writes.
enum ThreadReaders {
    /// Each connection's page cache is small: the hot reads are single-row look-ups by index.
    static let cacheKiB = 512

    static func connection(path: String) throws -> DatabaseQueue {
        let key = "appliance.reader:" + path
        let storage = Thread.current.threadDictionary
        if let queue = storage[key] as? DatabaseQueue { return queue }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "reader"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        storage[key] = queue
        return queue
    }
}
