import Foundation
import Storage

/// Back-channel single logout: when a session ends, every service that validated one of its
/// tickets and has a `logout_url` is sent a SAML `LogoutRequest` naming that ticket, through the outbox.
public struct SingleLogout: Sendable {
    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// Queues the logout requests for a session that is ending, inside the caller's transaction.
    @discardableResult
    public func enqueue(forSession sessionID: Int64, in store: Store) throws -> Int {
        let now = dependencies.clock.now()
        var queued = 0
        let registry = dependencies.services.current
        for (name, ticket) in try store.validatedTickets(sessionID: sessionID) {
            guard let url = registry.service(named: name)?.logoutURL else { continue }
            let id = "LR-" + dependencies.random.string(length: 32, alphabet: ServiceTickets.alphabet)
            let body = "logoutRequest=" + Self.formEncode(Self.logoutRequest(id: id, sessionIndex: ticket, at: now))
            try store.enqueuePost(purpose: "cas_logout", url: url, body: Array(body.utf8), at: now)
            queued += 1
        }
        return queued
    }

    /// Queues the logout requests for every session of an account that is about to lose them all.
    @discardableResult
    public func enqueue(forAccount accountID: Int64, in store: Store) throws -> Int {
        try store.sessions(accountID: accountID).reduce(0) { $0 + (try enqueue(forSession: $1.id, in: store)) }
    }

    static func logoutRequest(id: String, sessionIndex: String, at now: Date) -> String {
        """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="\(XMLText.escape(id))" Version="2.0" IssueInstant="\(ISO8601DateFormatter().string(from: now))">\
        <saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>\(XMLText.escape(sessionIndex))</samlp:SessionIndex>\
        </samlp:LogoutRequest>
        """
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
