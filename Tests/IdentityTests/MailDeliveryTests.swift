import Foundation
import Identity
import Logging
import Storage
import TestSupport
import Testing

/// A transport that answers from a script and records what it was given.
final class ScriptedTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [MailDeliveryResult]
    private(set) var delivered: [String] = []

    init(_ answers: [MailDeliveryResult]) { self.answers = answers }

    func deliver(_ message: [UInt8], messageID: String, from: String, to: String) -> MailDeliveryResult {
        lock.withLock {
            let answer = answers.isEmpty ? .delivered : answers.removeFirst()
            if answer == .delivered { delivered.append(messageID) }
            return answer
        }
    }
}

@Suite struct MailDeliveryTests {
    func queueOne(_ h: TestHarness) throws {
        try h.database.write { store in
            try Mailer(h.dependencies).enqueue(
                "password_changed", to: MailAddress(name: "Ada", address: "ada@example.org"), language: "en",
                values: ["email": "ada@example.org", "first_name": "Ada"], in: store)
        }
    }

    @Test func temporaryFailuresAreRetriedWithBackOffThenDelivered() async throws {
        let h = try await TestHarness.make()
        try queueOne(h)
        let transport = ScriptedTransport([.temporaryFailure("451"), .temporaryFailure("451")])
        let delivery = MailDelivery(h.dependencies, transport: transport, logger: Logger(label: "t"))
        #expect(try delivery.deliverDue() == (0, 1))
        #expect(try delivery.deliverDue() == (0, 0))  // not due yet
        h.clock.advance(by: MailDelivery.backoff(afterAttempt: 1))
        #expect(try delivery.deliverDue() == (0, 1))
        h.clock.advance(by: MailDelivery.backoff(afterAttempt: 2))
        #expect(try delivery.deliverDue() == (1, 0))
        #expect(transport.delivered.count == 1)
        #expect(try h.database.read { try $0.outboxCounts() }.sent == 1)
    }

    @Test func permanentFailuresAndExhaustedRetriesAreMarkedFailed() async throws {
        let h = try await TestHarness.make()
        try queueOne(h)
        let delivery = MailDelivery(
            h.dependencies, transport: ScriptedTransport([.permanentFailure("550 unknown user")]), logger: Logger(label: "t"))
        try delivery.deliverDue()
        #expect(try h.database.read { try $0.failedMail() }.map(\.lastError) == ["550 unknown user"])

        try queueOne(h)
        let flaky = MailDelivery(
            h.dependencies, transport: ScriptedTransport(Array(repeating: .temporaryFailure("down"), count: 20)), logger: Logger(label: "t")
        )
        for attempt in 1...MailDelivery.maximumAttempts {
            try flaky.deliverDue()
            h.clock.advance(by: MailDelivery.backoff(afterAttempt: attempt) + 1)
        }
        #expect(try h.database.read { try $0.outboxCounts() }.failed == 2)
    }

    @Test func backoffGrowsAndIsCapped() {
        let delays = (1...12).map(MailDelivery.backoff(afterAttempt:))
        #expect(delays == delays.sorted())
        #expect(delays.first == 30 && delays.last == 3600)
    }

    @Test func mailsAreRenderedInTheRecipientsLanguageWithTheLink() async throws {
        let h = try await TestHarness.make()
        try h.database.write { store in
            try Mailer(h.dependencies).enqueue(
                "set_password", to: MailAddress(name: "Zoë Ōta", address: "zoe@example.org"), language: "en",
                values: [
                    "link": "https://login.example.org/password/set?token=abc", "hours": "24", "first_name": "Zoë",
                    "email": "zoe@example.org",
                ], in: store)
        }
        let message = try #require(try h.mails().first)
        #expect(message.contains("Subject: Choose your password"))
        #expect(message.contains("multipart/alternative"))
        #expect(message.lowercased().contains("=?utf-8?"))  // the non-ASCII display name is encoded
        #expect(message.contains("token=3Dabc") || message.contains("token=abc"))
    }

    @Test func maintenancePurgesOnlyWhatExpired() async throws {
        let h = try await TestHarness.make()
        _ = try Registration(h.dependencies).register(
            Registration.Form(
                firstName: "A", lastName: "B", email: "a@example.org", emailConfirm: "a@example.org", emailLanguage: "en",
                privacyAccepted: true), client: h.client)
        #expect(try Maintenance(h.dependencies).purgeExpired().registrations == 0)
        h.clock.advance(by: 8 * 86400 + 1)
        let report = try Maintenance(h.dependencies).purgeExpired()
        #expect(report.registrations == 1)
        #expect(try h.database.read { try $0.allAccounts() }.isEmpty)
    }
}
