import Foundation
import Storage

/// CAS proxy authentication: proxy-granting tickets delivered to a service's registered HTTPS
/// callback (`pgtUrl`), and proxy tickets obtained with them for other registered services.
public struct ProxyGranting: Sendable {
    static let grantingPrefix = "PGT-"
    static let iouPrefix = "PGTIOU-"

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// After a successful validation that named `pgtUrl`: delivers a new proxy-granting ticket to
    /// that callback and returns its IOU, or nil (and no ticket) when the callback does not answer 200.
    public func grant(to assertion: CASAssertion, callback pgtUrl: String) throws -> Result<String?, CASError> {
        guard !assertion.service.proxyCallbacks.isEmpty else {
            return .failure(CASError(.unauthorizedServiceProxy, "this service may not obtain proxy-granting tickets"))
        }
        guard case .success(let url) = ServiceURL.parse(pgtUrl), url.scheme == "https",
            assertion.service.proxyCallbacks.contains(where: { $0.matches(url) })
        else {
            return .failure(CASError(.invalidProxyCallback, "the proxy callback is not an https URL registered for this service"))
        }
        let random = dependencies.random
        let ticket = Self.grantingPrefix + random.string(length: 48, alphabet: ServiceTickets.alphabet)
        let iou = Self.iouPrefix + random.string(length: 48, alphabet: ServiceTickets.alphabet)
        let now = dependencies.clock.now()
        // Stored before the callback is called, so that the receiver may use it at once.
        try dependencies.database.write {
            try $0.insertProxyGrantingTicket(
                ticketHash: tokenHash(ticket), sessionID: assertion.session.id, service: assertion.service.name,
                proxies: [pgtUrl] + assertion.proxies, at: now)
        }
        let confirm = appendingQueryParameter(
            appendingQueryParameter(pgtUrl, name: "pgtId", value: ticket), name: "pgtIou", value: iou)
        guard dependencies.callbacks.confirm(confirm) else {
            try dependencies.database.write { try $0.deleteProxyGrantingTicket(ticketHash: tokenHash(ticket)) }
            return .success(nil)
        }
        return .success(iou)
    }

    /// `/proxy`: a proxy ticket for `targetService`, on behalf of the session behind `pgt`.
    public func proxyTicket(pgt: String?, targetService: String?) throws -> Result<String, CASError> {
        guard let pgt, !pgt.isEmpty, let targetService, !targetService.isEmpty else {
            return .failure(CASError(.invalidRequest, "both the pgt and targetService parameters are required", kind: .proxy))
        }
        guard pgt.hasPrefix(Self.grantingPrefix), pgt.utf8.count <= 256,
            let found = try dependencies.database.read({
                try $0.proxyGrantingTicket(ticketHash: tokenHash(pgt), at: dependencies.clock.now())
            })
        else { return .failure(CASError(.invalidTicket, "proxy-granting ticket not recognized", kind: .proxy)) }
        guard let (target, _) = dependencies.services.current.service(for: targetService),
            (AuthenticationLevel(rawValue: found.session.level) ?? .password) >= target.minimumLevel
        else { return .failure(CASError(.unauthorizedService, "the target service may not receive a proxy ticket", kind: .proxy)) }
        let ticket = try ServiceTickets(dependencies).issue(
            for: target, serviceURL: targetService, session: found.session, fromNewLogin: false, proxies: found.proxies)
        return .success(ticket)
    }

    public static func successXML(proxyTicket: String) -> String {
        """
        <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
          <cas:proxySuccess>
            <cas:proxyTicket>\(XMLText.escape(proxyTicket))</cas:proxyTicket>
          </cas:proxySuccess>
        </cas:serviceResponse>

        """
    }

    public static func successJSON(proxyTicket: String) -> String {
        JSONText.object([
            ("serviceResponse", JSONText.object([("proxySuccess", JSONText.object([("proxyTicket", JSONText.string(proxyTicket))]))]))
        ])
    }
}
