import Foundation
import Logging
import Storage

/// Delivers due outbox messages through a transport, with retries and back-off.
/// Used by the sender thread inside `serve` and by `maintenance`.
public struct MailDelivery: Sendable {
    public static let maximumAttempts = 8
    /// Long enough for the slowest transport call (curl gives up after 60 s).
    public static let lease: TimeInterval = 300

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
        var delivered = 0
        var failed = 0
        while true {
            let now = dependencies.clock.now()
            let batch = try dependencies.database.write { try $0.claimDueMail(at: now, lease: Self.lease, limit: batchSize) }
            if batch.isEmpty { break }
            for mail in batch {
                let result = transport.deliver(
                    mail.message, messageID: mail.messageID, from: dependencies.settings.mail.from, to: mail.recipient)
                let finished = dependencies.clock.now()
                switch result {
                case .delivered:
                    try dependencies.database.write { try $0.markMailSent(id: mail.id, at: finished) }
                    delivered += 1
                    logger.info("mail delivered", metadata: ["mail_id": "\(mail.id)", "attempt": "\(mail.attempts)"])
                case .temporaryFailure(let reason), .permanentFailure(let reason):
                    failed += 1
                    let permanent = if case .permanentFailure = result { true } else { false }
                    let retryAt =
                        (permanent || mail.attempts >= Self.maximumAttempts)
                        ? nil : finished.addingTimeInterval(Self.backoff(afterAttempt: mail.attempts))
                    try dependencies.database.write { try $0.markMailAttemptFailed(id: mail.id, error: reason, retryAt: retryAt) }
                    logger.warning(
                        "mail delivery failed",
                        metadata: [
                            "mail_id": "\(mail.id)", "attempt": "\(mail.attempts)", "reason": "\(reason)", "gave_up": "\(retryAt == nil)",
                        ])
                }
            }
            if batch.count < batchSize { break }
        }
        return (delivered, failed)
    }

    /// 30 s, 1 min, 2 min … capped at one hour.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempt - 1))))
    }
}
