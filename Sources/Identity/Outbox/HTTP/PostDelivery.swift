import Foundation
import Logging
import Storage

/// Delivers the queued back-channel POSTs (CAS single logout) with the outbox's retries and back-off.
public struct PostDelivery: OutboxDelivering {
    let dependencies: Dependencies
    let transport: any PostTransport
    let logger: Logger

    public init(_ dependencies: Dependencies, transport: any PostTransport, logger: Logger) {
        self.dependencies = dependencies
        self.transport = transport
        self.logger = logger
    }

    @discardableResult
    public func deliverDue(batchSize: Int = 20) throws -> (delivered: Int, failed: Int) {
        try OutboxRunner(table: .http, dependencies: dependencies, logger: logger).deliverDue(
            batchSize: batchSize,
            claim: { try $0.claimDuePosts(at: $1, lease: OutboxRunner.lease, limit: batchSize) },
            attempt: { transport.post($0.body, to: $0.url) })
    }

    public func nextDue() throws -> Date? {
        try dependencies.database.read { try $0.nextDue(.http) }
    }
}
