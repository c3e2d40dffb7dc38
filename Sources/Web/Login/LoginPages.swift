import FastCGI
import Foundation
import Identity

/// The two-step sign-in: e-mail first, then the verification method and password.
enum LoginPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        if let cas = CASRequest(c) { return try CASLoginPages.show(c, cas) }
        let next = LocalPath.sanitize(c.query["next"])
        if let (_, account) = try c.session() {
            // A re-verification before a factor change: the whole sign-in again, for the session's own account.
            if c.query["reauth"] != nil {
                return try passwordStep(c, email: account.email, next: next, errors: [], notice: c.t("reauth_notice"), status: 200)
            }
            if let next { return c.redirect(next) }
            return try c.render("signed_in", ["name": account.firstName, "email": account.email], title: c.t("signed_in_title"))
        }
        if c.query["change"] == nil, let email = c.rememberedEmail {
            return try passwordStep(c, email: email, next: next, errors: [], notice: nil)
        }
        if next == nil && c.query["email"] == nil {
            // The page every sign-in starts from: the same for everyone in a language, so cached.
            return try c.renderCached("login_email", values: [], title: c.t("login_title")) {
                var model = c.formModel(values: ["email": ""], errors: [])
                model["next"] = ""
                model["registration_enabled"] = c.settings.registration.enabled
                return model
            }
        }
        return try emailStep(c, email: c.query.string("email"), next: next, errors: [])
    }

    static func submit(_ c: RequestContext) throws -> HTTPResponse {
        let next = LocalPath.sanitize(c.form["next"])
        if c.form["challenge"] != nil {
            return try submitChallenge(c, next: next)
        }
        if c.form["password"] == nil && c.form["method"] == nil {
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
        var attempt = SignIn.Attempt(email: email, password: c.form.string("password"), method: method)
        attempt.code = c.form.string("otp")
        attempt.serial = c.form.string("serial")
        attempt.phone = c.form.string("phone")
        let current = try c.session()
        attempt.session = current?.0
        attempt.passwordRequired = passwordRequired(c)
        let passwordWaived = try asksNoPassword(c, email: email, methods: [method])
        var missing: [FieldError] = []
        if attempt.password.isEmpty && !passwordWaived {
            missing.append(FieldError(field: "password", messageKey: "error_password_required"))
        }
        if method.needsPhone && attempt.phone.isEmpty { missing.append(FieldError(field: "phone", messageKey: "error_phone_required")) }
        if method.needsSerial && attempt.serial.isEmpty { missing.append(FieldError(field: "serial", messageKey: "error_serial_required")) }
        if method.needsCode && attempt.code.isEmpty { missing.append(FieldError(field: "otp", messageKey: "error_otp_required")) }
        if !missing.isEmpty {
            return try passwordStep(c, email: email, next: next, errors: missing, notice: nil)
        }
        let outcome = try SignIn(c.dependencies).signIn(attempt, client: c.client)
        return try respond(to: outcome, c, email: email, next: next) { errors, notice, status in
            try passwordStep(c, email: email, next: next, errors: errors, notice: notice, status: status)
        }
    }

    /// The second page's answer (or a request to send the SMS again).
    private static func submitChallenge(_ c: RequestContext, next: String?) throws -> HTTPResponse {
        let email = EmailAddress.normalize(c.form.string("email"))
        guard EmailAddress.isValid(email), let method = VerificationMethod(rawValue: c.form.string("method")), method.hasChallengePage
        else { return c.redirect("/login?change=1") }
        let challenge = SignInChallenge(method: method, reference: c.form.string("challenge"), question: c.form.string("question"))
        let repeatPage = { (errors: [FieldError], notice: String?, status: Int) in
            try challengeStep(c, email: email, next: next, challenge: challenge, errors: errors, notice: notice, status: status)
        }
        if c.form["resend"] != nil {
            let sent = try SignIn(c.dependencies).resend(email: email, challenge: challenge, client: c.client)
            return try repeatPage([], c.t(sent ? "sms_resent" : "error_sms_resend_too_soon"), sent ? 200 : 429)
        }
        let response = ["otp", "otp_1", "otp_2", "otp_3"].map { c.form.string($0) }.joined()
        guard !response.isEmpty else {
            return try repeatPage([FieldError(field: "otp_1", messageKey: "error_challenge_required")], nil, 400)
        }
        let outcome = try SignIn(c.dependencies).answer(
            email: email, method: method, reference: challenge.reference, response: response, session: try c.session()?.0,
            client: c.client)
        return try respond(to: outcome, c, email: email, next: next) { errors, notice, status in
            // A dead challenge sends the user back to the first page to ask for a new one.
            if errors.contains(where: { $0.messageKey == "error_challenge_expired" }) {
                return try passwordStep(c, email: email, next: next, errors: [], notice: c.t("error_challenge_expired"), status: status)
            }
            return try repeatPage(errors.map { FieldError(field: "otp_1", messageKey: $0.messageKey) }, notice, status)
        }
    }

    /// One place that turns a sign-in outcome into a page; `again` shows the form that was submitted, with errors.
    private static func respond(
        to outcome: SignIn.Outcome, _ c: RequestContext, email: String, next: String?,
        again: ([FieldError], String?, Int) throws -> HTTPResponse
    ) throws -> HTTPResponse {
        switch outcome {
        case .signedIn(let token, _):
            c.startSession(token: token)
            c.rememberEmail(email)
            if let cas = CASRequest(c) { return try CASLoginPages.signedIn(c, cas, token: token, email: email) }
            return c.redirect(next ?? "/login")
        case .challenge(let challenge):
            return try challengeStep(c, email: email, next: next, challenge: challenge, errors: [], notice: nil)
        case .rejected:
            return try again([FieldError(field: "password", messageKey: "error_sign_in_rejected")], nil, 401)
        case .throttled(let until):
            let minutes = max(1, Int((until.timeIntervalSince(c.dependencies.clock.now()) / 60).rounded(.up)))
            return try again([], c.t("error_sign_in_throttled", ["minutes": "\(minutes)"]), 429)
        case .locked:
            return try again([], c.t("error_account_locked"), 423)
        case .clientThrottled:
            return try again([], c.t("error_client_throttled"), 429)
        case .secondFactorRefused(let error):
            return try again([error], nil, 401)
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
        var model = c.formModel(
            values: ["email": email, "phone": c.form.string("phone"), "serial": c.form.string("serial")], errors: errors)
        model["next"] = next ?? ""
        model["cas_fields"] = CASRequest(c)?.hiddenFields ?? []
        model["reauth"] = isReauthentication(c)
        model["change_link"] = "/login?change=1" + (CASRequest(c).map { "&" + $0.query } ?? "")
        model["email"] = email
        model["notice"] = notice ?? ""
        model["has_notice"] = notice != nil
        let methods = try offeredMethods(c, email: email)
        let chosen = VerificationMethod(rawValue: c.form.string("method")).flatMap { methods.contains($0) ? $0 : nil } ?? methods.last
        model["methods"] = methods.map {
            [
                "value": $0.rawValue, "label": c.t("method_\($0.rawValue)"), "hint": c.t("method_\($0.rawValue)_hint"),
                "checked": $0 == chosen,
            ]
        }
        model["has_methods"] = !methods.isEmpty
        model["asks_password"] = try !asksNoPassword(c, email: email, methods: methods)
        model["needs_code"] = methods.contains(where: \.needsCode)
        model["needs_serial"] = methods.contains(where: \.needsSerial)
        model["needs_phone"] = methods.contains(where: \.needsPhone)
        return try c.render(
            "login_password", model, status: errors.isEmpty && notice == nil ? 200 : max(status, 400), title: c.t("login_title"))
    }

    /// The second page: the SMS code in three blocks, or a token's challenge and its response.
    static func challengeStep(
        _ c: RequestContext, email: String, next: String?, challenge: SignInChallenge, errors: [FieldError], notice: String?,
        status: Int = 200
    ) throws -> HTTPResponse {
        var model = c.formModel(values: [:], errors: errors)
        model["next"] = next ?? ""
        model["cas_fields"] = CASRequest(c)?.hiddenFields ?? []
        model["email"] = email
        model["method"] = challenge.method.rawValue
        model["reference"] = challenge.reference
        model["question"] = challenge.question
        model["question_grouped"] = grouped(challenge.question)
        model["is_sms"] = challenge.method == .sms
        model["notice"] = notice ?? ""
        model["has_notice"] = notice != nil
        let heading = challenge.method == .sms ? "sms_challenge_title" : "cram_challenge_title"
        return try c.render(
            "login_challenge", model, status: errors.isEmpty && notice == nil ? 200 : max(status, 400), title: c.t(heading))
    }

    /// A challenge shown in groups of four digits, which is how tokens' keypads are read back.
    static func grouped(_ text: String) -> String {
        let characters = Array(text)
        return stride(from: 0, to: characters.count, by: 4).map { String(characters[$0..<min($0 + 4, characters.count)]) }
            .joined(separator: "-")
    }

    /// The methods the account has that meet what is asked: the service's level, its `acceptStrengths`, and for a
    /// re-verification the account's strongest level. A step-up never offers less.
    private static func offeredMethods(_ c: RequestContext, email: String) throws -> [VerificationMethod] {
        let cas = CASRequest(c)
        var minimumLevel = cas.flatMap { c.dependencies.services.current.service(for: $0.service)?.0.minimumLevel } ?? .password
        guard let account = try c.dependencies.database.read({ try $0.account(email: email) }) else {
            // An unknown address sees the same form as a known one without second factors.
            return VerificationMethod.available(enrolled: [], minimumLevel: minimumLevel)
        }
        let factors = SecondFactors(c.dependencies)
        if isReauthentication(c) { minimumLevel = max(minimumLevel, try factors.strongestLevel(of: account)) }
        let methods = VerificationMethod.available(enrolled: try factors.enrolled(of: account), minimumLevel: minimumLevel)
        guard let accepted = cas?.acceptStrengths else { return methods }
        return methods.filter(accepted.contains)
    }

    /// A step-up of a recent session of this account needs the second factor alone, when only second factors are asked.
    private static func asksNoPassword(_ c: RequestContext, email: String, methods: [VerificationMethod]) throws -> Bool {
        guard !passwordRequired(c), !methods.isEmpty, !methods.contains(.password),
            let (session, account) = try c.session(), account.email == email
        else { return false }
        return SecondFactors(c.dependencies).waivesPassword(session, accountID: account.id)
    }

    private static func isReauthentication(_ c: RequestContext) -> Bool {
        (c.request.method == "POST" ? c.form["reauth"] : c.query["reauth"]) != nil
    }

    /// A re-verification or CAS `renew` asks for every credential again, however recent the session.
    private static func passwordRequired(_ c: RequestContext) -> Bool {
        isReauthentication(c) || CASRequest(c)?.renew == true
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
