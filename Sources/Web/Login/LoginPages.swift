import FastCGI
import Foundation
import Identity

/// The two-step sign-in: e-mail first, then the verification method and password.
enum LoginPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        if let cas = CASRequest(c) { return try CASLoginPages.show(c, cas) }
        let next = LocalPath.sanitize(c.query["next"])
        if let (_, account) = try c.session() {
            if let next { return c.redirect(next) }
            return try c.render("signed_in", ["name": account.firstName, "email": account.email], title: c.t("signed_in_title"))
        }
        if c.query["change"] == nil, let email = c.rememberedEmail {
            return try passwordStep(c, email: email, next: next, errors: [], notice: nil)
        }
        if next == nil && c.query["email"] == nil {
            // The page every sign-in starts from: the same for everyone in a language, so cached.
            var model = c.formModel(values: ["email": ""], errors: [])
            model["next"] = ""
            model["registration_enabled"] = c.settings.registration.enabled
            return try c.renderCached("login_email", model, key: "", title: c.t("login_title"))
        }
        return try emailStep(c, email: c.query.string("email"), next: next, errors: [])
    }

    static func submit(_ c: RequestContext) throws -> HTTPResponse {
        let next = LocalPath.sanitize(c.form["next"])
        if c.form["password"] == nil {
            return try submitEmail(c, next: next)
        }
        return try submitPassword(c, next: next)
    }

    private static func submitEmail(_ c: RequestContext, next: String?) throws -> HTTPResponse {
        let email = EmailAddress.normalize(c.form.string("email"))
        let now = c.dependencies.clock.now()
        let allowed = try c.dependencies.database.write { try RateLimit.emailStepPerIP.hit(c.client.ip, in: $0, at: now) }
        guard allowed else {
            c.logger.notice("email step throttled", metadata: ["ip": "\(c.client.ip)", "request_id": "\(c.request.requestID)"])
            return try emailStep(
                c, email: email, next: next, errors: [FieldError(field: "email", messageKey: "error_too_many_requests")], status: 429)
        }
        guard !email.isEmpty else {
            return try emailStep(c, email: email, next: next, errors: [FieldError(field: "email", messageKey: "error_email_required")])
        }
        guard EmailAddress.isValid(email) else {
            return try emailStep(c, email: email, next: next, errors: [FieldError(field: "email", messageKey: "error_email_invalid")])
        }
        if c.settings.login.revealUnknownEmail, try c.dependencies.database.read({ try $0.account(email: email) }) == nil {
            return c.redirect("/register?email=\(FormData.encode(email))")
        }
        c.rememberEmail(email)
        if let cas = CASRequest(c) { return c.redirect("/login?" + cas.query) }
        return c.redirect("/login" + (next.map { "?next=\(FormData.encode($0))" } ?? ""))
    }

    private static func submitPassword(_ c: RequestContext, next: String?) throws -> HTTPResponse {
        let email = EmailAddress.normalize(c.form.string("email"))
        guard EmailAddress.isValid(email) else { return c.redirect("/login?change=1") }
        let method = VerificationMethod(rawValue: c.form.string("method")) ?? .password
        let password = c.form.string("password")
        if password.isEmpty {
            return try passwordStep(
                c, email: email, next: next, errors: [FieldError(field: "password", messageKey: "error_password_required")], notice: nil)
        }
        let code = c.form.string("otp")
        if method.needsCode && code.isEmpty {
            return try passwordStep(
                c, email: email, next: next, errors: [FieldError(field: "otp", messageKey: "error_otp_required")], notice: nil)
        }
        switch try SignIn(c.dependencies).signIn(email: email, password: password, method: method, code: code, client: c.client) {
        case .signedIn(let token, _):
            c.startSession(token: token)
            c.rememberEmail(email)
            if let cas = CASRequest(c) { return try CASLoginPages.signedIn(c, cas, token: token, email: email) }
            return c.redirect(next ?? "/login")
        case .rejected:
            return try passwordStep(
                c, email: email, next: next, errors: [FieldError(field: "password", messageKey: "error_sign_in_rejected")], notice: nil,
                status: 401)
        case .throttled(let until):
            let minutes = max(1, Int((until.timeIntervalSince(c.dependencies.clock.now()) / 60).rounded(.up)))
            let message = c.t("error_sign_in_throttled", ["minutes": "\(minutes)"])
            return try passwordStep(c, email: email, next: next, errors: [], notice: message, status: 429)
        case .locked:
            return try passwordStep(c, email: email, next: next, errors: [], notice: c.t("error_account_locked"), status: 423)
        case .clientThrottled:
            return try passwordStep(c, email: email, next: next, errors: [], notice: c.t("error_client_throttled"), status: 429)
        case .codeRejected:
            return try passwordStep(
                c, email: email, next: next, errors: [FieldError(field: "otp", messageKey: "error_otp_wrong")], notice: nil, status: 401)
        case .codeReplayed:
            return try passwordStep(
                c, email: email, next: next, errors: [FieldError(field: "otp", messageKey: "error_otp_replayed")], notice: nil, status: 401)
        }
    }

    static func emailStep(_ c: RequestContext, email: String, next: String?, errors: [FieldError], status: Int = 200) throws -> HTTPResponse
    {
        var model = c.formModel(values: ["email": email], errors: errors)
        model["next"] = next ?? ""
        model["cas_fields"] = CASRequest(c)?.hiddenFields ?? []
        model["registration_enabled"] = c.settings.registration.enabled
        return try c.render("login_email", model, status: errors.isEmpty ? 200 : max(status, 400), title: c.t("login_title"))
    }

    static func passwordStep(_ c: RequestContext, email: String, next: String?, errors: [FieldError], notice: String?, status: Int = 200)
        throws -> HTTPResponse
    {
        var model = c.formModel(values: ["email": email], errors: errors)
        model["next"] = next ?? ""
        model["cas_fields"] = CASRequest(c)?.hiddenFields ?? []
        model["change_link"] = "/login?change=1" + (CASRequest(c).map { "&" + $0.query } ?? "")
        model["email"] = email
        model["notice"] = notice ?? ""
        model["has_notice"] = notice != nil
        // Only the methods this account has that reach the service's level: a step-up never offers less.
        let minimumLevel = CASRequest(c).flatMap { c.dependencies.services.current.service(for: $0.service)?.0.minimumLevel } ?? .password
        let account = try c.dependencies.database.read { try $0.account(email: email) }
        let enrolled = try account.map { try AuthenticatorApps(c.dependencies).enrolledMethods(of: $0) } ?? []
        let methods = VerificationMethod.available(enrolled: enrolled, minimumLevel: minimumLevel)
        let chosen = VerificationMethod(rawValue: c.form.string("method")).flatMap { methods.contains($0) ? $0 : nil } ?? methods.last
        model["methods"] = methods.map {
            [
                "value": $0.rawValue, "label": c.t("method_\($0.rawValue)"), "hint": c.t("method_\($0.rawValue)_hint"),
                "checked": $0 == chosen,
            ]
        }
        model["has_methods"] = !methods.isEmpty
        model["needs_code"] = methods.contains(where: \.needsCode)
        return try c.render(
            "login_password", model, status: errors.isEmpty && notice == nil ? 200 : max(status, 400), title: c.t("login_title"))
    }

    static func logout(_ c: RequestContext) throws -> HTTPResponse {
        if let token = c.cookies[RequestContext.sessionCookie] {
            try SessionService(c.dependencies).end(token: token, client: c.client)
        }
        c.clearCookie(RequestContext.sessionCookie)
        // A link back only to a registered service: never an open redirect.
        let back = c.query["service"].flatMap { c.dependencies.services.current.service(for: $0) != nil ? $0 : nil }
        return try c.render("logged_out", ["service_link": back ?? "", "has_service_link": back != nil], title: c.t("logged_out_title"))
    }

    static func unlock(_ c: RequestContext) throws -> HTTPResponse {
        if let problem = try AccountService(c.dependencies).unlock(token: c.query.string("token"), client: c.client) {
            return try PasswordPages.linkProblem(c, problem)
        }
        return try c.render(
            "message",
            ["heading": c.t("unlocked_title"), "message": c.t("unlocked_message"), "link": "/login", "link_label": c.t("unlocked_link")],
            title: c.t("unlocked_title"))
    }
}
