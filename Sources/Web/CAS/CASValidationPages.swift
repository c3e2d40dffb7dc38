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
        respond(c, check(c), attributes: false)
    }

    /// CAS 3.0: the user and the attributes released to the service.
    static func serviceValidateV3(_ c: RequestContext) throws -> HTTPResponse {
        respond(c, check(c), attributes: true)
    }

    private static func check(_ c: RequestContext) -> Result<CASAssertion, CASError> {
        let result: Result<CASAssertion, CASError>
        do {
            result = try ServiceTickets(c.dependencies).validate(
                ticket: c.query["ticket"], service: c.query["service"], renew: CASRequest.flag(c.query["renew"]))
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
