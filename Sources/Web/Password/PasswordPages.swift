import FastCGI
import Foundation
import Identity
import Storage

/// Choosing a password from an e-mailed link, the policy's sample passwords, and "lost your password?".
enum PasswordPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        let token = c.query.string("token")
        let links = EmailLinks(c.dependencies)
        switch try c.dependencies.database.read({ try links.check(token: token, purposes: [.setPassword, .resetPassword], in: $0) }) {
        case .failure(let box): return try linkProblem(c, box.problem)
        case .success(let (_, account)): return try form(c, token: token, email: account.email, errors: [])
        }
    }

    static func submit(_ c: RequestContext) throws -> HTTPResponse {
        let token = c.form.string("token")
        switch try PasswordChange(c.dependencies).setFromLink(
            token: token, password: c.form.string("password"), confirmation: c.form.string("password_confirm"), client: c.client)
        {
        case .changed(let account, let sessionToken):
            if let sessionToken { c.startSession(token: sessionToken) }
            c.rememberEmail(account.email)
            return try c.render("password_done", ["email": account.email], title: c.t("password_done_title"))
        case .invalid(let errors):
            let email = try c.dependencies.database.read { store in
                try EmailLinks(c.dependencies).check(token: token, purposes: [.setPassword, .resetPassword], in: store)
            }
            guard case .success(let (_, account)) = email else { return try linkProblem(c, .used) }
            return try form(c, token: token, email: account.email, errors: errors)
        case .linkProblem(let problem):
            return try linkProblem(c, problem)
        }
    }

    static func form(_ c: RequestContext, token: String, email: String, errors: [FieldError]) throws -> HTTPResponse {
        var model = c.formModel(values: ["email": email], errors: errors)
        model["token"] = token
        model["email"] = email
        model["samples"] = PasswordPolicy().samples(random: c.dependencies.random)
        model["samples_link"] = "/password/set?token=\(FormData.encode(token))#samples"
        return try c.render("password_set", model, status: errors.isEmpty ? 200 : 400, title: c.t("password_set_title"))
    }

    /// Three fresh sample passwords as JSON, for the page's "generate other samples" control.
    static func samples(_ c: RequestContext) throws -> HTTPResponse {
        let samples = PasswordPolicy().samples(random: c.dependencies.random)
        let data = try JSONSerialization.data(withJSONObject: ["samples": samples])
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: [UInt8](data))
    }

    static func linkProblem(_ c: RequestContext, _ problem: EmailLinks.Problem) throws -> HTTPResponse {
        let key: String
        switch problem {
        case .expired: key = "link_expired"
        case .used: key = "link_used"
        case .unknown: key = "link_unknown"
        }
        var model = c.formModel(values: ["email": c.rememberedEmail ?? ""], errors: [])
        model["heading"] = c.t("\(key)_title")
        model["message"] = c.t("\(key)_message")
        return try c.render("link_problem", model, status: 410, title: c.t("\(key)_title"))
    }

    static func showLost(_ c: RequestContext) throws -> HTTPResponse {
        try c.render("lost_password", c.formModel(values: ["email": c.rememberedEmail ?? ""], errors: []), title: c.t("lost_title"))
    }

    /// Used by "lost your password?" and by "send me a new link" on an expired-link page.
    static func submitLost(_ c: RequestContext) throws -> HTTPResponse {
        let email = c.form.string("email")
        switch try Registration(c.dependencies).sendNewLink(email: email, client: c.client) {
        case .mailSent:
            return try c.render("mail_sent", ["email": EmailAddress.normalize(email)], title: c.t("mail_sent_title"))
        case .invalid(let errors):
            return try c.render(
                "lost_password", c.formModel(values: ["email": email], errors: errors), status: 400, title: c.t("lost_title"))
        case .tooManyRequests:
            return try c.render(
                "lost_password",
                c.formModel(values: ["email": email], errors: [FieldError(field: "email", messageKey: "error_too_many_requests")]),
                status: 429, title: c.t("lost_title"))
        }
    }
}
