import Foundation
import Identity
import Logging
import Storage
import TestSupport
import Testing

/// A back channel that answers from a script and records what was posted.
final class ScriptedPostTransport: PostTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [MailDeliveryResult]
    private(set) var received: [(url: String, body: String)] = []

    init(_ answers: [MailDeliveryResult]) { self.answers = answers }

    func post(_ body: [UInt8], to url: String) -> MailDeliveryResult {
        lock.withLock {
            let answer = answers.isEmpty ? .delivered : answers.removeFirst()
            if answer == .delivered { received.append((url, String(decoding: body, as: UTF8.self))) }
            return answer
        }
    }
}

@Suite struct SingleLogoutTests {
    let strong = "Correct-Horse-42-battery"

    func harness() async throws -> TestHarness {
        try await TestHarness.make { settings in
            settings.services = ServiceRegistry([
                RegisteredService(
                    name: "shop", patterns: [servicePattern("https://shop.example.org/")], logoutURL: "https://shop.example.org/slo"),
                RegisteredService(name: "quiet", patterns: [servicePattern("https://quiet.example.org/")]),
            ])
        }
    }

    /// Signs in, gets and validates a ticket for each URL; returns the session token and the tickets.
    func visit(_ h: TestHarness, _ urls: [String], validate: Bool = true) throws -> (String, [String]) {
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: "ada@example.org", password: strong, client: h.client)
        else { throw TestFailure() }
        let session = try #require(try SessionService(h.dependencies).current(token: token)).0
        var tickets: [String] = []
        for url in urls {
            let service = try #require(h.dependencies.settings.services.service(for: url)).0
            let ticket = try ServiceTickets(h.dependencies).issue(for: service, serviceURL: url, session: session, fromNewLogin: true)
            if validate { _ = try ServiceTickets(h.dependencies).validate(ticket: ticket, service: url, renew: false).get() }
            tickets.append(ticket)
        }
        return (token, tickets)
    }

    @Test func loggingOutPostsALogoutRequestNamingTheValidatedTicket() async throws {
        let h = try await harness()
        let (token, tickets) = try visit(h, ["https://shop.example.org/", "https://quiet.example.org/"])
        try SessionService(h.dependencies).end(token: token, client: h.client)
        let transport = ScriptedPostTransport([])
        #expect(try PostDelivery(h.dependencies, transport: transport, logger: Logger(label: "t")).deliverDue() == (1, 0))
        let (url, body) = try #require(transport.received.first)
        #expect(url == "https://shop.example.org/slo")
        let xml = try #require(body.hasPrefix("logoutRequest=") ? String(body.dropFirst(14)).removingPercentEncoding : nil)
        #expect(xml.contains("<samlp:SessionIndex>\(tickets[0])</samlp:SessionIndex>"))
        #expect(
            xml.contains(#"xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol""#) && xml.contains("<saml:NameID>@NOT_USED@</saml:NameID>"))
    }

    @Test func unvalidatedTicketsSendNoLogoutRequest() async throws {
        let h = try await harness()
        let (token, _) = try visit(h, ["https://shop.example.org/"], validate: false)
        try SessionService(h.dependencies).end(token: token, client: h.client)
        #expect(try h.database.read { try $0.outboxCounts(.http) }.queued == 0)
    }

    @Test func failedLogoutRequestIsRetriedAfterTheBackOff() async throws {
        let h = try await harness()
        let (token, _) = try visit(h, ["https://shop.example.org/"])
        try SessionService(h.dependencies).end(token: token, client: h.client)
        let transport = ScriptedPostTransport([.temporaryFailure("http 500")])
        let delivery = PostDelivery(h.dependencies, transport: transport, logger: Logger(label: "t"))
        #expect(try delivery.deliverDue() == (0, 1))
        #expect(try delivery.deliverDue() == (0, 0))
        h.clock.advance(by: MailDelivery.backoff(afterAttempt: 1))
        #expect(try delivery.nextDue() == h.clock.now())
        #expect(try delivery.deliverDue() == (1, 0))
        #expect(try h.database.read { try $0.outboxCounts(.http) }.sent == 1)
    }
}

@Suite struct SingleLogoutOnAccountChangesTests {
    let strong = "Correct-Horse-42-battery"

    @Test func passwordChangeAndAccountDeletionTellTheServicesOfTheEndedSessions() async throws {
        let h = try await SingleLogoutTests().harness()
        let (_, tickets) = try SingleLogoutTests().visit(h, ["https://shop.example.org/"])
        let account = try #require(try h.database.read { try $0.account(email: "ada@example.org") })
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: "ada@example.org", password: strong, client: h.client)
        else { throw TestFailure() }
        let keep = try #require(try SessionService(h.dependencies).current(token: token)).0
        let changed = try PasswordChange(h.dependencies).change(
            account: account, current: strong, password: "Another-Horse-43-battery", confirmation: "Another-Horse-43-battery",
            keepSessionID: keep.id, client: h.client)
        guard case .changed = changed else { throw TestFailure() }
        let transport = ScriptedPostTransport([])
        #expect(try PostDelivery(h.dependencies, transport: transport, logger: Logger(label: "t")).deliverDue() == (1, 0))
        #expect(transport.received.first?.body.contains(tickets[0]) == true)

        let service = try #require(h.dependencies.services.current.service(for: "https://shop.example.org/")).0
        let second = try ServiceTickets(h.dependencies).issue(
            for: service, serviceURL: "https://shop.example.org/", session: keep, fromNewLogin: false)
        _ = try ServiceTickets(h.dependencies).validate(ticket: second, service: "https://shop.example.org/", renew: false).get()
        let refreshed = try #require(try h.database.read { try $0.account(email: "ada@example.org") })
        guard
            case .done = try AccountService(h.dependencies).delete(
                account: refreshed, password: "Another-Horse-43-battery", client: h.client)
        else { throw TestFailure() }
        #expect(try PostDelivery(h.dependencies, transport: transport, logger: Logger(label: "t")).deliverDue() == (1, 0))
        #expect(transport.received.last?.body.contains(second) == true)
    }
}
