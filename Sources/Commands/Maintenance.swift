import ArgumentParser
import Foundation
import Identity
import Storage

/// `appliance maintenance`: delivers due mail and SMS, then purges what has expired. Safe from cron every
/// minute, next to `serve` and to another `maintenance`: mail is claimed under a lease in a write
/// transaction, so two runs never take the same message and a killed run's claims come due again.
struct Maintenance: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deliver queued mail and SMS and purge expired data (run from cron).")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Only print the outbox's state and the messages that failed.")
    var status = false

    func run() throws {
        let runtime = try Runtime.load(options, label: "maintenance")
        let database = runtime.dependencies.database
        if status {
            let counts = try database.read { try $0.outboxCounts() }
            print("outbox: queued=\(counts.queued) sending=\(counts.sending) sent=\(counts.sent) failed=\(counts.failed)")
            let sms = try database.read { try $0.outboxCounts(.sms) }
            print("sms: queued=\(sms.queued) sending=\(sms.sending) sent=\(sms.sent) failed=\(sms.failed)")
            let posts = try database.read { try $0.outboxCounts(.http) }
            print("back-channel: queued=\(posts.queued) sending=\(posts.sending) sent=\(posts.sent) failed=\(posts.failed)")
            for mail in try database.read({ try $0.failedMail() }) {
                print("failed: id=\(mail.id) to=\(mail.recipient) attempts=\(mail.attempts) error=\(mail.lastError ?? "-")")
            }
            for sms in try database.read({ try $0.failedSMS() }) {
                print("failed sms: id=\(sms.id) to=\(sms.recipient) attempts=\(sms.attempts) error=\(sms.lastError ?? "-")")
            }
            return
        }
        var delivered = 0
        var failed = 0
        for outbox in try runtime.outboxes() {
            let sent = try outbox.deliverDue(batchSize: 20)
            delivered += sent.delivered
            failed += sent.failed
        }
        let report = try Identity.Maintenance(runtime.dependencies).purgeExpired()
        runtime.logger.info("maintenance done", metadata: ["delivered": "\(delivered)", "failed": "\(failed)", "purged": "\(report)"])
    }
}
