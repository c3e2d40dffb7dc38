import Foundation
import Identity
import Storage
import TestSupport
import Testing

@Suite struct ServiceTicketTests {
    static let wikiURL = "https://wiki.example.org/login?next=%2Fhome"

    func harness(attributes: [String] = ["email", "firstName", "isFromNewLogin"]) async throws -> TestHarness {
        try await TestHarness.make { settings in
            settings.services = ServiceRegistry([
                RegisteredService(
                    name: "wiki", patterns: [servicePattern("https://wiki.example.org/*")], attributes: attributes),
                RegisteredService(name: "mail", patterns: [servicePattern("https://mail.example.org/")]),
            ])
        }
    }

    /// Signs in and returns the session, as the password step does.
    func session(_ h: TestHarness, firstName: String = "Ada") throws -> SSOSession {
        _ = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery", firstName: firstName)
        guard
            case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(
                email: "ada@example.org", password: "Correct-Horse-42-battery", client: h.client)
        else { throw TestFailure() }
        return try #require(try SessionService(h.dependencies).current(token: token)).0
    }

    func issue(_ h: TestHarness, _ session: SSOSession, url: String = wikiURL, newLogin: Bool = true) throws -> String {
        let (service, _) = try #require(h.dependencies.settings.services.service(for: url))
        return try ServiceTickets(h.dependencies).issue(for: service, serviceURL: url, session: session, fromNewLogin: newLogin)
    }

    @Test func ticketHasTheSpecifiedShape() async throws {
        let h = try await harness()
        let s = try session(h)
        let ticket = try issue(h, s)
        #expect(ticket.hasPrefix("ST-") && ticket.count == 43)
        #expect(ticket.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(try issue(h, s) != ticket)
    }

    @Test func validTicketValidatesOnceWithReleasedAttributes() async throws {
        let h = try await harness()
        let ticket = try issue(h, try session(h))
        let assertion = try ServiceTickets(h.dependencies).validate(ticket: ticket, service: Self.wikiURL, renew: false).get()
        #expect(assertion.user == assertion.account.uid)
        #expect(assertion.attributes.map(\.name) == ["email", "firstName", "isFromNewLogin"])
        #expect(assertion.attributes.first { $0.name == "isFromNewLogin" }?.value == "true")
    }

    @Test func replayedServiceTicketIsRejected() async throws {
        let h = try await harness()
        let ticket = try issue(h, try session(h))
        _ = try ServiceTickets(h.dependencies).validate(ticket: ticket, service: Self.wikiURL, renew: false).get()
        let again = ServiceTickets(h.dependencies)
        #expect(try again.validate(ticket: ticket, service: Self.wikiURL, renew: false).failureCode == .invalidTicket)
    }

    @Test func ticketForAnotherServiceIsRejectedAndBurned() async throws {
        let h = try await harness()
        let ticket = try issue(h, try session(h))
        let tickets = ServiceTickets(h.dependencies)
        #expect(try tickets.validate(ticket: ticket, service: "https://mail.example.org/", renew: false).failureCode == .invalidService)
        #expect(try tickets.validate(ticket: ticket, service: "https://wiki.example.org/login", renew: false).failureCode == .invalidTicket)
        #expect(try tickets.validate(ticket: ticket, service: Self.wikiURL, renew: false).failureCode == .invalidTicket)
    }

    @Test func expiredTicketIsRejected() async throws {
        let h = try await harness()
        let ticket = try issue(h, try session(h))
        h.clock.advance(by: 301)
        #expect(
            try ServiceTickets(h.dependencies).validate(ticket: ticket, service: Self.wikiURL, renew: false).failureCode == .invalidTicket)
    }

    @Test func ticketJustBeforeExpiryIsAccepted() async throws {
        let h = try await harness()
        let ticket = try issue(h, try session(h))
        h.clock.advance(by: 299)
        #expect((try? ServiceTickets(h.dependencies).validate(ticket: ticket, service: Self.wikiURL, renew: false).get()) != nil)
    }

    @Test func renewValidationNeedsATicketFromANewSignIn() async throws {
        let h = try await harness()
        let s = try session(h)
        let fromSSO = try issue(h, s, newLogin: false)
        #expect(
            try ServiceTickets(h.dependencies).validate(ticket: fromSSO, service: Self.wikiURL, renew: true).failureCode == .invalidTicket)
        let fresh = try issue(h, s, newLogin: true)
        #expect((try? ServiceTickets(h.dependencies).validate(ticket: fresh, service: Self.wikiURL, renew: true).get()) != nil)
    }

    @Test func missingParametersAndForeignTicketsAreInvalidRequests() async throws {
        let h = try await harness()
        let tickets = ServiceTickets(h.dependencies)
        #expect(try tickets.validate(ticket: nil, service: Self.wikiURL, renew: false).failureCode == .invalidRequest)
        #expect(try tickets.validate(ticket: "ST-x", service: nil, renew: false).failureCode == .invalidRequest)
        #expect(try tickets.validate(ticket: "PT-abc", service: Self.wikiURL, renew: false).failureCode == .invalidTicketSpec)
        #expect(try tickets.validate(ticket: "ST-unknown", service: Self.wikiURL, renew: false).failureCode == .invalidTicket)
    }

    @Test func endingTheSessionKillsItsUnvalidatedTickets() async throws {
        let h = try await harness()
        let s = try session(h)
        let ticket = try issue(h, s)
        try h.database.write { try $0.deleteSession(id: s.id) }
        #expect(
            try ServiceTickets(h.dependencies).validate(ticket: ticket, service: Self.wikiURL, renew: false).failureCode == .invalidTicket)
    }

    @Test func responsesEscapeXMLAndJSON() async throws {
        let h = try await harness()
        let ticket = try issue(h, try session(h, firstName: #"<b>&"Ada'</b>"#))
        let assertion = try ServiceTickets(h.dependencies).validate(ticket: ticket, service: Self.wikiURL, renew: false).get()
        let xml = assertion.xml(withAttributes: true)
        #expect(xml.contains("<cas:firstName>&lt;b&gt;&amp;&quot;Ada&apos;&lt;/b&gt;</cas:firstName>"))
        #expect(!xml.contains("<b>"))
        let json = assertion.json(withAttributes: true)
        #expect(json.contains(#""firstName":"<b>&\"Ada'</b>""#))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["serviceResponse"] != nil)
        let error = CASError(.invalidTicket, "ticket <ST-&> not recognized")
        #expect(error.xml.contains(#"code="INVALID_TICKET">ticket &lt;ST-&amp;&gt; not recognized<"#))
        #expect(XMLText.escape("a\u{1}b") == "ab")
    }
}

struct TestFailure: Error {}

extension Result where Failure == CASError {
    /// The failure's code, for any kind of success value.
    var failureCode: CASError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
