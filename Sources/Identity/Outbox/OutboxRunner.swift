import Foundation
import Logging
import Storage

/// An item any outbox delivers: enough to record the outcome of an attempt.
protocol OutboxItem {
    var id: Int64 { get }
    /// Attempts so far, this one included.
    var attempts: Int { get }
}

extension OutboxMail: OutboxItem {}
extension OutboxPost: OutboxItem {}
extension OutboxSMS: OutboxItem {}

/// The delivery loop every outbox shares: claim what is due in batches, attempt each item, and
/// record the outcome, retrying temporary failures with back-off until `maximumAttempts`.
struct OutboxRunner: Sendable {
    static let maximumAttempts = 8
    /// Long enough for the slowest transport call (curl gives up after 60 s).
    static let lease: TimeInterval = 300

    let table: OutboxTable
    let dependencies: Dependencies
    let logger: Logger

    func deliverDue<Item: OutboxItem>(
        batchSize: Int, claim: (Store, Date) throws -> [Item], attempt: (Item) -> MailDeliveryResult
    ) throws -> (delivered: Int, failed: Int) {
        var delivered = 0
        var failed = 0
        let kind =
            switch table {
            case .mail: "mail"
            case .http: "post"
            case .sms: "sms"
            }
        while true {
            let now = dependencies.clock.now()
            let batch = try dependencies.database.write { try claim($0, now) }
            if batch.isEmpty { break }
            for item in batch {
                let result = attempt(item)
                let finished = dependencies.clock.now()
                switch result {
                case .delivered:
                    try dependencies.database.write { try $0.markSent(table, id: item.id, at: finished) }
                    delivered += 1
                    logger.info("\(kind) delivered", metadata: ["\(kind)_id": "\(item.id)", "attempt": "\(item.attempts)"])
                case .temporaryFailure(let reason), .permanentFailure(let reason):
                    failed += 1
                    let permanent = if case .permanentFailure = result { true } else { false }
                    let retryAt =
                        (permanent || item.attempts >= Self.maximumAttempts)
                        ? nil : finished.addingTimeInterval(Self.backoff(afterAttempt: item.attempts))
                    try dependencies.database.write { try $0.markAttemptFailed(table, id: item.id, error: reason, retryAt: retryAt) }
                    logger.warning(
                        "\(kind) delivery failed",
                        metadata: [
                            "\(kind)_id": "\(item.id)", "attempt": "\(item.attempts)", "reason": "\(reason)",
                            "gave_up": "\(retryAt == nil)",
                        ])
                }
            }
            if batch.count < batchSize { break }
        }
        return (delivered, failed)
    }

    /// 30 s, 1 min, 2 min … capped at one hour.
    static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempt - 1))))
    }
}
