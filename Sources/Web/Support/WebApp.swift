import Basics
import FastCGI
import Foundation
import Identity
import Logging

/// The web layer as one FastCGI responder: decodes the request, routes it, renders,
/// and turns any unexpected error into one generic page (logged with the request id).
public final class WebApp: Responder {
    let dependencies: Dependencies
    let renderer: PageRenderer
    let logger: Logger
    let csrf: CSRF
    let router: Router
    let pageCache = PageCache()
    /// Signed-in pages, kept apart so that many accounts cannot push the sign-in page out.
    let accountPageCache = PageCache()
    let longDates = LongDates()
    /// Read once: deciding it parses the base URL.
    let cookiesAreSecure: Bool

    public init(dependencies: Dependencies, renderer: PageRenderer, logger: Logger) {
        self.dependencies = dependencies
        self.renderer = renderer
        self.logger = logger
        csrf = CSRF(key: dependencies.subkey("csrf"))
        router = Router(Routes.table)
        cookiesAreSecure = dependencies.settings.cookiesAreSecure
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        var response = route(request)
        SecurityHeaders.apply(to: &response, secure: request.isSecure)
        if request.method == "HEAD" { response.body = [] }
        return response
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        let query = FormData(query: request.query)
        var form = FormData()
        if request.method == "POST" {
            let type = request.header("content-type")?.lowercased() ?? ""
            if type.hasPrefix("application/x-www-form-urlencoded") {
                guard let decoded = FormData(urlEncoded: request.body) else {
                    return badRequest(request)
                }
                form = decoded
            } else if !request.body.isEmpty {
                return badRequest(request, status: 415)
            }
        }
        guard let query else { return badRequest(request) }
        let context = RequestContext(request: request, app: self, query: query, form: form)
        var response: HTTPResponse
        switch router.match(method: request.method == "HEAD" ? "GET" : request.method, path: request.path) {
        case .notFound:
            response = context.errorPage(404, messageKey: "error_not_found")
        case .methodNotAllowed(let allowed):
            response = context.errorPage(405, messageKey: "error_method_not_allowed")
            response.addHeader("Allow", allowed.joined(separator: ", "))
        case .found(let route):
            if route.method == "POST" && !route.skipCSRF && !context.csrfIsValid {
                logger.notice(
                    "csrf rejected",
                    metadata: ["request_id": "\(request.requestID)", "path": "\(request.path)", "ip": "\(request.remoteAddress)"])
                response = context.errorPage(403, messageKey: "error_csrf")
            } else {
                do {
                    response = try route.handler(context)
                } catch {
                    logger.error(
                        "request failed", metadata: ["request_id": "\(request.requestID)", "path": "\(request.path)", "error": "\(error)"])
                    response = context.errorPage(500, messageKey: "error_internal")
                }
            }
        }
        for cookie in context.outgoingCookies { response.addHeader("Set-Cookie", cookie.headerValue) }
        return response
    }

    /// Input that cannot even be decoded: a plain page, without touching anything else.
    private func badRequest(_ request: HTTPRequest, status: Int = 400) -> HTTPResponse {
        logger.notice("bad request", metadata: ["request_id": "\(request.requestID)", "path": "\(request.path)", "status": "\(status)"])
        let fallback = FormData()
        let context = RequestContext(request: request, app: self, query: fallback, form: fallback)
        return context.errorPage(status, messageKey: status == 415 ? "error_unsupported_media" : "error_bad_request")
    }
}
