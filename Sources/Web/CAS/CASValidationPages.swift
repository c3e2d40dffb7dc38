import FastCGI
import Identity

/// The ticket validation endpoints, called by services' back ends (no cookies, no CSRF).
enum CASValidationPages {
    /// CAS 1.0: `yes\nuser\n` or `no\n\n`.
    static func validate(_ c: RequestContext) throws -> HTTPResponse {
        let body: String
        switch check(c) {
        case .success(let assertion): body = assertion.text
        case .failure: body = "no\n\n"
        }
        return HTTPResponse(status: 200, contentType: "text/plain; charset=utf-8", body: body)
    }

    /// CAS 2.0: the user only.
    static func serviceValidate(_ c: RequestContext) throws -> HTTPResponse {
        respond(c, granting(c, check(c)), attributes: false)
    }

    /// CAS 3.0: the user and the attributes released to the service.
    static func serviceValidateV3(_ c: RequestContext) throws -> HTTPResponse {
        respond(c, granting(c, check(c)), attributes: true)
    }

    /// CAS 2.0 proxy validation: service and proxy tickets, with the proxies in front.
    static func proxyValidate(_ c: RequestContext) throws -> HTTPResponse {
        respond(c, granting(c, check(c, acceptProxyTickets: true)), attributes: false)
    }

    static func proxyValidateV3(_ c: RequestContext) throws -> HTTPResponse {
        respond(c, granting(c, check(c, acceptProxyTickets: true)), attributes: true)
    }

    /// `/proxy`: a proxy ticket for `targetService` in exchange for a proxy-granting ticket.
    static func proxy(_ c: RequestContext) throws -> HTTPResponse {
        let json = c.query["format"]?.uppercased() == "JSON"
        let result: Result<String, CASError>
        do {
            result = try ProxyGranting(c.dependencies).proxyTicket(pgt: c.query["pgt"], targetService: c.query["targetService"])
        } catch {
            c.logger.error("proxy ticket failed", metadata: ["request_id": "\(c.request.requestID)", "error": "\(error)"])
            result = .failure(CASError(.internalError, "internal error, reference \(c.request.requestID)", kind: .proxy))
        }
        let body: String
        switch result {
        case .success(let ticket):
            body = json ? ProxyGranting.successJSON(proxyTicket: ticket) : ProxyGranting.successXML(proxyTicket: ticket)
        case .failure(let error):
            c.logger.notice("proxy ticket refused", metadata: ["code": "\(error.code.rawValue)", "ip": "\(c.client.ip)"])
            body = json ? error.json : error.xml
        }
        return HTTPResponse(
            status: 200, contentType: json ? "application/json; charset=utf-8" : "application/xml; charset=utf-8", body: body)
    }

    /// With `pgtUrl`, a successful validation also delivers a proxy-granting ticket to that callback.
    private static func granting(_ c: RequestContext, _ result: Result<CASAssertion, CASError>) -> Result<CASAssertion, CASError> {
        guard case .success(var assertion) = result, let callback = c.query["pgtUrl"], !callback.isEmpty else { return result }
        do {
            switch try ProxyGranting(c.dependencies).grant(to: assertion, callback: callback) {
            case .success(let iou):
                assertion.proxyGrantingTicketIOU = iou
                return .success(assertion)
            case .failure(let error):
                c.logger.notice(
                    "proxy callback refused", metadata: ["code": "\(error.code.rawValue)", "service": "\(assertion.service.name)"])
                return .failure(error)
            }
        } catch {
            c.logger.error("proxy granting failed", metadata: ["request_id": "\(c.request.requestID)", "error": "\(error)"])
            return .failure(CASError(.internalError, "internal error, reference \(c.request.requestID)"))
        }
    }

    private static func check(_ c: RequestContext, acceptProxyTickets: Bool = false) -> Result<CASAssertion, CASError> {
        let result: Result<CASAssertion, CASError>
        do {
            result = try ServiceTickets(c.dependencies).validate(
                ticket: c.query["ticket"], service: c.query["service"], renew: CASRequest.flag(c.query["renew"]),
                acceptProxyTickets: acceptProxyTickets)
        } catch {
            c.logger.error("ticket validation failed", metadata: ["request_id": "\(c.request.requestID)", "error": "\(error)"])
            return .failure(CASError(.internalError, "internal error, reference \(c.request.requestID)"))
        }
        switch result {
        case .success(let assertion):
            c.logger.info(
                "service ticket validated",
                metadata: ["service": "\(assertion.service.name)", "session_id": "\(assertion.session.id)", "ip": "\(c.client.ip)"])
        case .failure(let error):
            c.logger.notice(
                "service ticket rejected",
                metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.description)", "ip": "\(c.client.ip)"])
        }
        return result
    }

    private static func respond(_ c: RequestContext, _ result: Result<CASAssertion, CASError>, attributes: Bool) -> HTTPResponse {
        let json = c.query["format"]?.uppercased() == "JSON"
        let body: String
        switch result {
        case .success(let assertion): body = json ? assertion.json(withAttributes: attributes) : assertion.xml(withAttributes: attributes)
        case .failure(let error): body = json ? error.json : error.xml
        }
        return HTTPResponse(
            status: 200, contentType: json ? "application/json; charset=utf-8" : "application/xml; charset=utf-8", body: body)
    }
}
