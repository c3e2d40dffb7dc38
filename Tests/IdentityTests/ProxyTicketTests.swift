import Foundation
import Identity
import Storage
import TestSupport
import Testing

/// A proxy callback that answers as told and records the URLs it was called with.
final class FakeCallbacks: CallbackTransport, @unchecked Sendable {
    private let lock = NSLock()
    let answer: Bool
    private(set) var called: [String] = []

    init(answer: Bool) { self.answer = answer }

    func confirm(_ url: String) -> Bool {
        lock.withLock { called.append(url) }
        return answer
    }

    /// The `pgtId` sent in the last call.
    var lastTicket: String? {
        lock.withLock { called.last }.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "pgtId" }?.value }
    }
}

@Suite struct ProxyTicketTests {
    static let portal = "https://portal.example.org/"
    static let callback = "https://portal.example.org/pgt/receive"
    static let mail = "https://mail.example.org/"

    func harness(callbacks: FakeCallbacks) async throws -> (TestHarness, Dependencies) {
        let h = try await TestHarness.make { settings in
            settings.services = ServiceRegistry([
                RegisteredService(
                    name: "portal", patterns: [servicePattern(Self.portal)],
                    proxyCallbacks: [servicePattern("https://portal.example.org/pgt/*")]),
                RegisteredService(name: "mail", patterns: [servicePattern(Self.mail)]),
            ])
        }
        var dependencies = h.dependencies
        dependencies.callbacks = callbacks
        return (h, dependencies)
    }

    /// A validated service ticket for `url`, as a service's back end would hold it.
    func assertion(_ h: TestHarness, _ dependencies: Dependencies, url: String) throws -> CASAssertion {
        _ = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        guard
            case .signedIn(let token, _) = try SignIn(dependencies).signIn(
                email: "ada@example.org", password: "Correct-Horse-42-battery", client: h.client)
        else { throw TestFailure() }
        let session = try #require(try SessionService(dependencies).current(token: token)).0
        let service = try #require(dependencies.services.current.service(for: url)).0
        let ticket = try ServiceTickets(dependencies).issue(for: service, serviceURL: url, session: session, fromNewLogin: true)
        return try ServiceTickets(dependencies).validate(ticket: ticket, service: url, renew: false).get()
    }

    @Test func proxyGrantingTicketReachesTheCallbackAndBuysAProxyTicketForAnotherService() async throws {
        let callbacks = FakeCallbacks(answer: true)
        let (h, dependencies) = try await harness(callbacks: callbacks)
        let granted = try assertion(h, dependencies, url: Self.portal)
        let iou = try #require(try ProxyGranting(dependencies).grant(to: granted, callback: Self.callback).get())
        #expect(iou.hasPrefix("PGTIOU-"))
        #expect(
            callbacks.called.first?.hasPrefix(Self.callback + "?pgtId=PGT-") == true
                && callbacks.called.first?.hasSuffix("&pgtIou=\(iou)") == true)
        let pgt = try #require(callbacks.lastTicket)
        let proxyTicket = try ProxyGranting(dependencies).proxyTicket(pgt: pgt, targetService: Self.mail).get()
        #expect(proxyTicket.hasPrefix("PT-"))
        let tickets = ServiceTickets(dependencies)
        #expect(try tickets.validate(ticket: proxyTicket, service: Self.mail, renew: false).failureCode == .invalidTicketSpec)
        let second = try ProxyGranting(dependencies).proxyTicket(pgt: pgt, targetService: Self.mail).get()
        let proxied = try tickets.validate(ticket: second, service: Self.mail, renew: false, acceptProxyTickets: true).get()
        #expect(proxied.proxies == [Self.callback] && proxied.user == granted.user && !proxied.fromNewLogin)
        #expect(proxied.xml(withAttributes: false).contains("<cas:proxy>\(Self.callback)</cas:proxy>"))
        #expect(
            try tickets.validate(ticket: second, service: Self.mail, renew: false, acceptProxyTickets: true).failureCode == .invalidTicket)
    }

    @Test func onlyRegisteredHTTPSCallbacksOfAProxyingServiceAreCalled() async throws {
        let callbacks = FakeCallbacks(answer: true)
        let (h, dependencies) = try await harness(callbacks: callbacks)
        let granted = try assertion(h, dependencies, url: Self.portal)
        let proxying = ProxyGranting(dependencies)
        for bad in ["http://portal.example.org/pgt/receive", "https://evil.test/pgt/receive", "https://portal.example.org.evil.test/pgt/x"]
        {
            #expect(try proxying.grant(to: granted, callback: bad).failureCode == .invalidProxyCallback)
        }
        var mail = granted
        mail.service = try #require(dependencies.services.current.service(named: "mail"))
        #expect(try proxying.grant(to: mail, callback: Self.callback).failureCode == .unauthorizedServiceProxy)
        #expect(callbacks.called.isEmpty)
    }

    @Test func callbackThatDoesNotConfirmGetsNoUsableTicket() async throws {
        let callbacks = FakeCallbacks(answer: false)
        let (h, dependencies) = try await harness(callbacks: callbacks)
        let granted = try assertion(h, dependencies, url: Self.portal)
        #expect(try ProxyGranting(dependencies).grant(to: granted, callback: Self.callback).get() == nil)
        let pgt = try #require(callbacks.lastTicket)
        #expect(try ProxyGranting(dependencies).proxyTicket(pgt: pgt, targetService: Self.mail).failureCode == .invalidTicket)
    }

    @Test func proxyRequestsNeedAKnownTicketAndARegisteredTarget() async throws {
        let callbacks = FakeCallbacks(answer: true)
        let (h, dependencies) = try await harness(callbacks: callbacks)
        _ = try ProxyGranting(dependencies).grant(to: try assertion(h, dependencies, url: Self.portal), callback: Self.callback)
        let pgt = try #require(callbacks.lastTicket)
        let proxying = ProxyGranting(dependencies)
        #expect(try proxying.proxyTicket(pgt: nil, targetService: Self.mail).failureCode == .invalidRequest)
        #expect(try proxying.proxyTicket(pgt: "PGT-unknown", targetService: Self.mail).failureCode == .invalidTicket)
        #expect(try proxying.proxyTicket(pgt: pgt, targetService: "https://evil.test/").failureCode == .unauthorizedService)
        let error = CASError(.unauthorizedService, "no", kind: .proxy)
        #expect(error.xml.contains(#"<cas:proxyFailure code="UNAUTHORIZED_SERVICE">no</cas:proxyFailure>"#))
        #expect(ProxyGranting.successXML(proxyTicket: "PT-1").contains("<cas:proxyTicket>PT-1</cas:proxyTicket>"))
    }
}
