import FastCGI
import Identity

/// Self-registration, with the appliance's own CAPTCHA.
enum RegisterPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        guard c.settings.registration.enabled else { return c.errorPage(404, messageKey: "error_registration_closed") }
        let email = c.query.string("email")
        let values = ["email": email, "email_confirm": "", "email_lang": c.t.language, "first_name": "", "last_name": ""]
        return try form(c, values: values, errors: [], notice: email.isEmpty ? nil : c.t("register_unknown_email_notice"))
    }

    static func submit(_ c: RequestContext) throws -> HTTPResponse {
        guard c.settings.registration.enabled else { return c.errorPage(404, messageKey: "error_registration_closed") }
        let values = [
            "first_name": c.form.string("first_name"), "last_name": c.form.string("last_name"),
            "email": c.form.string("email"), "email_confirm": c.form.string("email_confirm"),
            "email_lang": c.form.string("email_lang"),
        ]
        let registration = Registration(c.dependencies)
        let submitted = Registration.Form(
            firstName: values["first_name"]!, lastName: values["last_name"]!, email: values["email"]!,
            emailConfirm: values["email_confirm"]!, emailLanguage: values["email_lang"]!,
            privacyAccepted: c.form.string("privacy") == "yes")
        var errors = registration.validate(submitted)
        if c.settings.registration.captcha {
            let answer = c.form.string("captcha")
            // Checked even when other fields are wrong: a challenge is good for one answer only.
            let solved = try CaptchaService(c.dependencies).verify(id: c.form.string("captcha_id"), answer: answer)
            if !solved {
                errors.insert(
                    FieldError(field: "captcha", messageKey: answer.isEmpty ? "error_captcha_required" : "error_captcha_wrong"),
                    at: errors.firstIndex { $0.field == "privacy" } ?? errors.count)
            }
        }
        if !errors.isEmpty { return try form(c, values: values, errors: errors, notice: nil) }
        switch try registration.register(submitted, client: c.client) {
        case .mailSent:
            return try c.render("mail_sent", ["email": EmailAddress.normalize(values["email"]!)], title: c.t("mail_sent_title"))
        case .invalid(let errors):
            return try form(c, values: values, errors: errors, notice: nil)
        case .tooManyRequests:
            return try form(
                c, values: values, errors: [FieldError(field: "email", messageKey: "error_too_many_requests")], notice: nil, status: 429)
        }
    }

    static func form(_ c: RequestContext, values: [String: String], errors: [FieldError], notice: String?, status: Int = 400) throws
        -> HTTPResponse
    {
        var model = c.formModel(values: values, errors: errors)
        model["email_languages"] = c.app.renderer.locales.languages.map { code in
            ["code": code, "name": c.app.renderer.locales.name(of: code), "selected": code == (values["email_lang"] ?? c.t.language)]
        }
        model["captcha_enabled"] = c.settings.registration.captcha
        if c.settings.registration.captcha {
            let id = try CaptchaService(c.dependencies).newChallenge()
            model["captcha_id"] = id
            model["captcha_image"] = "/captcha/image?id=\(id)"
            model["captcha_audio"] = "/captcha/audio?id=\(id)&lang=\(c.t.language)"
        }
        model["privacy_url"] = c.settings.registration.privacyURL.isEmpty ? "/privacy" : c.settings.registration.privacyURL
        model["notice"] = notice ?? ""
        model["has_notice"] = notice != nil
        return try c.render("register", model, status: errors.isEmpty ? 200 : status, title: c.t("register_title"))
    }

    /// A fresh challenge for the page's "show another code" control, so the typed form is kept.
    static func newCaptcha(_ c: RequestContext) throws -> HTTPResponse {
        guard c.settings.registration.enabled, c.settings.registration.captcha else {
            return c.errorPage(404, messageKey: "error_not_found")
        }
        let id = try CaptchaService(c.dependencies).newChallenge()
        let json = #"{"id":"\#(id)","image":"/captcha/image?id=\#(id)","audio":"/captcha/audio?id=\#(id)&lang=\#(c.t.language)"}"#
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    static func captchaImage(_ c: RequestContext) throws -> HTTPResponse {
        guard let png = try CaptchaService(c.dependencies).image(id: c.query.string("id")) else {
            return HTTPResponse(status: 404, contentType: "text/plain; charset=utf-8", body: "unknown or expired challenge\n")
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "image/png")], body: png)
    }

    static func captchaAudio(_ c: RequestContext) throws -> HTTPResponse {
        switch try CaptchaService(c.dependencies).audio(id: c.query.string("id"), language: c.t.language) {
        case .wav(let wav):
            return HTTPResponse(status: 200, headers: [("Content-Type", "audio/wav")], body: wav)
        case .unknownChallenge:
            return HTTPResponse(status: 404, contentType: "text/plain; charset=utf-8", body: "unknown or expired challenge\n")
        case .busy:
            var response = HTTPResponse(status: 503, contentType: "text/plain; charset=utf-8", body: "busy, try again in a moment\n")
            response.addHeader("Retry-After", "5")
            return response
        }
    }
}
