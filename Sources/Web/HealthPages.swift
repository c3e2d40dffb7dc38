import FastCGI

/// Small endpoints outside any flow.
enum HealthPages {
    /// Liveness and database reachability, for monitors and the start-up check.
    static func health(_ c: RequestContext) throws -> HTTPResponse {
        _ = try c.dependencies.database.read { try $0.account(id: 0) }
        return HTTPResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "ok\n")
    }

    static func privacy(_ c: RequestContext) throws -> HTTPResponse {
        try c.render(
            "message", ["heading": c.t("privacy_title"), "message": c.t("privacy_text", ["organisation": c.settings.organisation.name])],
            title: c.t("privacy_title"))
    }

    /// The organisation's colour as a CSS variable, so branding needs no file edits.
    static func brandStylesheet(_ c: RequestContext) throws -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "public, max-age=300")],
            body: Array(":root { --brand: \(c.settings.organisation.primaryColor); }\n".utf8))
    }

    static func dismissNotice(_ c: RequestContext) throws -> HTTPResponse {
        c.setCookie(RequestContext.noticeCookie, "1", maxAge: 365 * 86400)
        return c.redirect(LocalPath.sanitize(c.form["return"]) ?? "/login")
    }
}
