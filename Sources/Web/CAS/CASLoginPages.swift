import FastCGI
import Foundation
import Identity
import Storage

/// `/login?service=…`: a ticket at once for a strong enough session, else the sign-in and then a ticket.
enum CASLoginPages {
    static func show(_ c: RequestContext, _ cas: CASRequest) throws -> HTTPResponse {
        guard let (service, url) = c.dependencies.services.current.service(for: cas.service) else { return unknownService(c) }
        let signedIn = try c.session()
        if let (session, _) = signedIn, !cas.renew, level(of: session) >= service.minimumLevel, cas.accepts(sessionMethods: session.methods)
        {
            return try handOver(c, cas, service: service, url: url, session: session, fromNewLogin: false)
        }
        if cas.gateway && !cas.renew { return c.redirect(cas.service) }
        let notice = signedIn != nil && !cas.renew ? c.t("cas_level_too_low") : nil
        if c.query["change"] == nil, let email = c.rememberedEmail {
            return try LoginPages.passwordStep(c, email: email, next: nil, errors: [], notice: notice, status: 403)
        }
        return try LoginPages.emailStep(c, email: c.query.string("email"), next: nil, errors: [])
    }

    /// After a successful password step: a ticket from this new sign-in, unless the service wants more.
    static func signedIn(_ c: RequestContext, _ cas: CASRequest, token: String, email: String) throws -> HTTPResponse {
        guard let (service, url) = c.dependencies.services.current.service(for: cas.service) else { return unknownService(c) }
        guard let (session, _) = try SessionService(c.dependencies).current(token: token) else {
            return c.redirect("/login?" + cas.query)
        }
        guard level(of: session) >= service.minimumLevel, cas.accepts(sessionMethods: session.methods) else {
            return try LoginPages.passwordStep(c, email: email, next: nil, errors: [], notice: c.t("cas_level_too_low"), status: 403)
        }
        return try handOver(c, cas, service: service, url: url, session: session, fromNewLogin: true)
    }

    private static func handOver(
        _ c: RequestContext, _ cas: CASRequest, service: RegisteredService, url: ServiceURL, session: SSOSession, fromNewLogin: Bool
    ) throws -> HTTPResponse {
        let ticket = try ServiceTickets(c.dependencies).issue(
            for: service, serviceURL: cas.service, session: session, fromNewLogin: fromNewLogin)
        c.logger.info(
            "service ticket issued",
            metadata: [
                "service": "\(service.name)", "session_id": "\(session.id)", "new_login": "\(fromNewLogin)",
                "request_id": "\(c.request.requestID)",
            ])
        guard cas.post else { return c.redirect(appendingQueryParameter(cas.service, name: "ticket", value: ticket)) }
        var response = try c.render("cas_post", ["action": cas.service, "ticket": ticket], title: c.t("cas_post_title"))
        // The page's form goes to the service: allow that one origin, for this response only.
        response.addHeader("Content-Security-Policy", SecurityHeaders.contentSecurityPolicy(formAction: url.origin))
        return response
    }

    private static func level(of session: SSOSession) -> AuthenticationLevel {
        AuthenticationLevel(rawValue: session.level) ?? .password
    }

    /// No link to the unknown URL, so the page cannot serve as an open redirect.
    private static func unknownService(_ c: RequestContext) -> HTTPResponse {
        c.logger.notice("unregistered service refused", metadata: ["request_id": "\(c.request.requestID)", "ip": "\(c.client.ip)"])
        return c.errorPage(400, messageKey: "error_unknown_service")
    }
}
