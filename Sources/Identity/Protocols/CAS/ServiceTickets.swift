import Basics
import Foundation
import Storage

/// Issues and validates CAS service tickets (`ST-`) and proxy tickets (`PT-`): the prefix and 40
/// random letters and digits, stored only as SHA-256, bound to the exact service URL, single use and short-lived.
public struct ServiceTickets: Sendable {
    public static let prefix = "ST-"
    public static let proxyPrefix = "PT-"
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// A new ticket for `serviceURL` on behalf of `session`; a proxy ticket when `proxies` names the proxies in front.
    public func issue(
        for service: RegisteredService, serviceURL: String, session: SSOSession, fromNewLogin: Bool, proxies: [String]? = nil
    ) throws -> String {
        let ticket = (proxies == nil ? Self.prefix : Self.proxyPrefix) + dependencies.random.string(length: 40, alphabet: Self.alphabet)
        let now = dependencies.clock.now()
        try dependencies.database.write {
            try $0.issueServiceTicket(
                ticketHash: tokenHash(ticket), service: service.name, serviceURL: serviceURL, sessionID: session.id,
                fromNewLogin: fromNewLogin, proxies: proxies, at: now,
                expiresAt: now.addingTimeInterval(TimeInterval(dependencies.settings.cas.ticketSeconds)))
        }
        return ticket
    }

    /// Checks a ticket presented by a service's back end. The ticket is burned whatever the outcome.
    /// Proxy tickets are accepted only by the proxy validation endpoints (`acceptProxyTickets`).
    public func validate(ticket: String?, service serviceURL: String?, renew: Bool, acceptProxyTickets: Bool = false) throws -> Result<
        CASAssertion, CASError
    > {
        guard let ticket, !ticket.isEmpty, let serviceURL, !serviceURL.isEmpty else {
            return .failure(CASError(.invalidRequest, "both the ticket and service parameters are required"))
        }
        let known = ticket.hasPrefix(Self.prefix) || (acceptProxyTickets && ticket.hasPrefix(Self.proxyPrefix))
        guard known, ticket.utf8.count <= 256 else {
            return .failure(CASError(.invalidTicketSpec, acceptProxyTickets ? "not a service or proxy ticket" : "not a service ticket"))
        }
        let now = dependencies.clock.now()
        let registry = dependencies.services.current
        // Validations come in bursts (every service checks every sign-in): their ticket burns share transactions.
        let found = try dependencies.database.writeTogether { store in
            try store.consumeServiceTicket(ticketHash: tokenHash(ticket), at: now) { found in
                let verdict = Self.verdict(for: found, serviceURL: serviceURL, renew: renew, registry: registry, at: now)
                return (try? verdict.get()) == nil ? nil : ticket
            }
        }
        guard let found else { return .failure(CASError(.invalidTicket, "ticket not recognized")) }
        return Self.verdict(for: found, serviceURL: serviceURL, renew: renew, registry: registry, at: now)
    }

    /// The decision on a ticket just taken from storage: pure, so every rule is tested without I/O.
    static func verdict(
        for found: ConsumedServiceTicket, serviceURL: String, renew: Bool, registry: ServiceRegistry, at now: Date
    ) -> Result<CASAssertion, CASError> {
        if found.wasUsed { return .failure(CASError(.invalidTicket, "ticket already used")) }
        if found.expiresAt <= now { return .failure(CASError(.invalidTicket, "ticket expired")) }
        guard found.account.status == .active, found.session.expiresAt > now else {
            return .failure(CASError(.invalidTicket, "ticket not recognized"))
        }
        if found.serviceURL != serviceURL { return .failure(CASError(.invalidService, "ticket was not issued for this service")) }
        guard let service = registry.service(named: found.service) else {
            return .failure(CASError(.invalidService, "service is no longer registered"))
        }
        if renew && !found.fromNewLogin { return .failure(CASError(.invalidTicket, "ticket did not come from a new sign-in")) }
        return .success(
            CASAssertion(
                account: found.account, session: found.session, service: service, fromNewLogin: found.fromNewLogin,
                proxies: found.proxies ?? []))
    }
}
