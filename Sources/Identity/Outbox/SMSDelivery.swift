import Foundation
import Logging
import Storage

/// Delivers the queued text messages through the SMS transport, with the outbox's retries and back-off.
public struct SMSDelivery: OutboxDelivering {
    let dependencies: Dependencies
    let transport: any SMSTransport
    let logger: Logger

    public init(_ dependencies: Dependencies, transport: any SMSTransport, logger: Logger) {
        self.dependencies = dependencies
        self.transport = transport
        self.logger = logger
    }

    @discardableResult
    public func deliverDue(batchSize: Int = 20) throws -> (delivered: Int, failed: Int) {
        try OutboxRunner(table: .sms, dependencies: dependencies, logger: logger).deliverDue(
            batchSize: batchSize,
            claim: { try $0.claimDueSMS(at: $1, lease: OutboxRunner.lease, limit: batchSize) },
            attempt: { transport.send(OutgoingSMS(id: $0.messageID, to: $0.recipient, text: $0.text, createdAt: $0.createdAt)) })
    }

    public func nextDue() throws -> Date? {
        try dependencies.database.read { try $0.nextDue(.sms) }
    }
}
