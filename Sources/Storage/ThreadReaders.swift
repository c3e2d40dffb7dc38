import Foundation
import GRDB

/// A read-only connection per thread and database file. GRDB's reader pool hands its connections out through
/// dispatch-queue barriers that every concurrent request contends for: measured on the signed-in page, about three
/// more context switches per request and half of its throughput. A worker thread reading through a connection of its
/// own contends with nobody; WAL mode lets all of them read while the pool's writer writes.
enum ThreadReaders {
    /// Each connection's page cache is small: the hot reads are single-row look-ups by index.
    static let cacheKiB = 512

    /// One thread's connections by database path; released (and the connections closed) when the thread ends.
    private final class Connections {
        var byPath: [String: DatabaseQueue] = [:]
    }

    /// A POSIX thread-specific slot rather than Foundation's thread dictionary, whose bridged look-up showed in
    /// profiles of the signed-in page.
    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        precondition(created == 0, "pthread_key_create failed")
        return key
    }()

    static func connection(path: String) throws -> DatabaseQueue {
        let connections: Connections
        if let raw = pthread_getspecific(slot) {
            connections = Unmanaged<Connections>.fromOpaque(raw).takeUnretainedValue()
        } else {
            connections = Connections()
            pthread_setspecific(slot, Unmanaged.passRetained(connections).toOpaque())
        }
        if let queue = connections.byPath[path] { return queue }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "reader"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        connections.byPath[path] = queue
        return queue
    }
}
