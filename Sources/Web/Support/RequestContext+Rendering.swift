import FastCGI
import Foundation
import Identity
import Storage

extension RequestContext {
    /// Renders a page in the request's language with the shared chrome (header, menu, selector, notice).
    func render(_ template: String, _ model: [String: Any] = [:], status: Int = 200, title: String? = nil) throws -> HTTPResponse {
        var context = try chrome(title: title)
        for (key, value) in model { context[key] = value }
        let body = app.renderer.page(template, language: t.language, model: context)
        return HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: body)
    }

    /// Renders a page through a page cache: the page must depend on nothing but the request's language, path and
    /// query, the cookie notice and the `values` named (which must therefore determine every value of the model).
    /// The title and the model are only worked out when the page is not in the cache.
    func renderCached(
        _ template: String, values: [String], title: @autoclosure () -> String?, in cache: PageCache? = nil,
        model: () -> [String: Any]
    ) throws -> HTTPResponse {
        // The page's language links repeat the query string. Only a query of plain characters can be
        // cached: anything else could spell the CSRF slot and receive the token where it does not belong.
        guard request.query.utf8.allSatisfy(Self.isPlainQueryByte) else { return try render(template, model(), title: title()) }
        let cache = cache ?? app.pageCache
        let key = PageCache.Key(
            template: template, language: t.language, showsNotice: cookies[Self.noticeCookie] != "1", path: request.path,
            query: request.query, values: values)
        if let body = cache.cached(key, csrf: { csrfToken }) { return Self.htmlPage(body) }
        let model = model()
        // Model values are checked for the same reason (the slot starts with "<"); such a page is never kept.
        if model.values.contains(where: { ($0 as? String)?.utf8.contains(UInt8(ascii: "<")) == true }) {
            return try render(template, model, title: title())
        }
        var context = try chrome(title: title())
        for (name, value) in model { context[name] = value }
        context["csrf"] = PageCache.csrfSlot
        let page = app.renderer.page(template, language: t.language, model: context)
        return Self.htmlPage(cache.store(key, page: page, csrf: { csrfToken }))
    }

    private static func htmlPage(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: body)
    }

    private static func isPlainQueryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "="), UInt8(ascii: "&"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    func chrome(title: String?) throws -> [String: Any] {
        let signedIn = try session()
        var chrome: [String: Any] = [
            "lang": t.language,
            "title": title ?? "",
            "csrf": csrfToken,
            "organisation": settings.organisation.name,
            "logo_url": settings.organisation.logoURL,
            "has_logo": !settings.organisation.logoURL.isEmpty,
            "show_notice": cookies[Self.noticeCookie] != "1",
            "current_path": request.path,
            "languages": app.renderer.locales.languages.map { code -> [String: Any] in
                [
                    "code": code, "name": app.renderer.locales.name(of: code),
                    "href": languageLink(code), "current": code == t.language,
                ]
            },
        ]
        if let (_, account) = signedIn {
            chrome["user"] = ["name": "\(account.firstName) \(account.lastName)", "email": account.email]
        }
        return chrome
    }

    /// The current URL with `lang` set, keeping the other query parameters (a link's token, say).
    private func languageLink(_ code: String) -> String {
        var parts = request.query.split(separator: "&").filter { !$0.hasPrefix("lang=") }.map(String.init)
        parts.append("lang=\(code)")
        return request.path + "?" + parts.joined(separator: "&")
    }

    /// A form's model: the values typed (kept so nobody retypes), the error summary and per-field messages.
    func formModel(values: [String: String], errors: [FieldError]) -> [String: Any] {
        var perField: [String: String] = [:]
        for error in errors where perField[error.field] == nil { perField[error.field] = t(error.messageKey) }
        return [
            "values": values,
            "errors": perField,
            "has_errors": !errors.isEmpty,
            "error_summary": errors.map { ["field": $0.field, "message": t($0.messageKey)] },
        ]
    }

    func redirect(_ location: String, status: Int = 303) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Location", location)])
    }

    /// A page that explains a problem in the page's language; never an internal detail.
    func errorPage(_ status: Int, messageKey: String) -> HTTPResponse {
        let model: [String: Any] = ["heading": t("error_heading_\(status)"), "message": t(messageKey), "request_id": request.requestID]
        var context = (try? chrome(title: t("error_heading_\(status)"))) ?? ["lang": t.language]
        for (key, value) in model { context[key] = value }
        let body = app.renderer.page("error", language: t.language, model: context)
        return HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: body)
    }

    /// A redirect to the sign-in page that comes back here afterwards.
    func redirectToSignIn() -> HTTPResponse {
        let next = request.path + (request.query.isEmpty ? "" : "?" + request.query)
        return redirect("/login?next=\(FormData.encode(next))")
    }
}
