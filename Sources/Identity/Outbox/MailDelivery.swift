import Foundation
import Logging
import Storage

/// Delivers due outbox messages through a transport, with retries and back-off.
/// Used by the sender thread inside `serve` and by `maintenance`.
public struct MailDelivery: OutboxDelivering {
    public static let maximumAttempts = OutboxRunner.maximumAttempts

    let dependencies: Dependencies
    let transport: any MailTransport
    let logger: Logger

    public init(_ dependencies: Dependencies, transport: any MailTransport, logger: Logger) {
        self.dependencies = dependencies
        self.transport = transport
        self.logger = logger
    }

    /// Delivers what is due now, in batches, until nothing is due; returns (delivered, failed attempts).
    @discardableResult
    public func deliverDue(batchSize: Int = 20) throws -> (delivered: Int, failed: Int) {
        let from = dependencies.settings.mail.from
        return try OutboxRunner(table: .mail, dependencies: dependencies, logger: logger).deliverDue(
            batchSize: batchSize,
            claim: { try $0.claimDueMail(at: $1, lease: OutboxRunner.lease, limit: batchSize) },
            attempt: { transport.deliver($0.message, messageID: $0.messageID, from: from, to: $0.recipient) })
    }

    public func nextDue() throws -> Date? {
        try dependencies.database.read { try $0.nextDue(.mail) }
    }

    /// 30 s, 1 min, 2 min … capped at one hour.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        OutboxRunner.backoff(afterAttempt: attempt)
    }
}

/// An outbox the sender thread and `maintenance` flush.
public protocol OutboxDelivering: Sendable {
    /// When the next queued item becomes due, if any.
    func nextDue() throws -> Date?
    @discardableResult func deliverDue(batchSize: Int) throws -> (delivered: Int, failed: Int)
}
