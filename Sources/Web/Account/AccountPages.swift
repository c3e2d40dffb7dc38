import FastCGI
import Foundation
import Identity
import Storage

/// My Account: details, personal data, e-mail address, password, deletion.
enum AccountPages {
    static func overview(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        let status = c.query["done"].flatMap { c.t.catalog["account_done_\($0)"] == nil ? nil : c.t("account_done_\($0)") }
        // The page shows these values and nothing else of the account or session (the menu: the name and address);
        // the language's name and the creation date's text follow from the code and the whole seconds (the page's
        // language is part of every cache key).
        let values = [
            String(account.id), String(Int64(account.createdAt.timeIntervalSince1970.rounded(.down))), account.firstName, account.lastName,
            account.email, account.emailLanguage, status ?? "",
        ]
        return try c.renderCached("account", values: values, title: c.t("account_title"), in: c.app.accountPageCache) {
            [
                "first_name": account.firstName, "last_name": account.lastName, "email": account.email,
                "email_language": c.app.renderer.locales.name(of: account.emailLanguage),
                "created": c.app.longDates.string(account.createdAt, language: c.t.language),
                "status_message": status ?? "", "has_status": status != nil,
            ]
        }
    }

    static func showProfile(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        return try profileForm(
            c, values: ["first_name": account.firstName, "last_name": account.lastName, "email_lang": account.emailLanguage], errors: [])
    }

    static func submitProfile(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        let values = [
            "first_name": c.form.string("first_name"), "last_name": c.form.string("last_name"), "email_lang": c.form.string("email_lang"),
        ]
        switch try AccountService(c.dependencies).updateProfile(
            account: account, firstName: values["first_name"]!, lastName: values["last_name"]!, emailLanguage: values["email_lang"]!,
            client: c.client)
        {
        case .done: return c.redirect("/account?done=profile")
        case .invalid(let errors): return try profileForm(c, values: values, errors: errors)
        }
    }

    private static func profileForm(_ c: RequestContext, values: [String: String], errors: [FieldError]) throws -> HTTPResponse {
        var model = c.formModel(values: values, errors: errors)
        model["email_languages"] = c.app.renderer.locales.languages.map { code in
            ["code": code, "name": c.app.renderer.locales.name(of: code), "selected": code == values["email_lang"]]
        }
        return try c.render("account_profile", model, status: errors.isEmpty ? 200 : 400, title: c.t("profile_title"))
    }

    static func showEmail(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        var model = c.formModel(values: [:], errors: [])
        model["current_email"] = account.email
        return try c.render("account_email", model, title: c.t("change_email_title"))
    }

    static func submitEmail(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        let values = ["email": c.form.string("email"), "email_confirm": c.form.string("email_confirm")]
        switch try AccountService(c.dependencies).requestEmailChange(
            account: account, newEmail: values["email"]!, confirmation: values["email_confirm"]!, client: c.client)
        {
        case .done:
            return try c.render("mail_sent", ["email": EmailAddress.normalize(values["email"]!)], title: c.t("mail_sent_title"))
        case .invalid(let errors):
            var model = c.formModel(values: values, errors: errors)
            model["current_email"] = account.email
            return try c.render("account_email", model, status: 400, title: c.t("change_email_title"))
        }
    }

    static func confirmEmail(_ c: RequestContext) throws -> HTTPResponse {
        switch try AccountService(c.dependencies).confirmEmailChange(token: c.query.string("token"), client: c.client) {
        case .changed(let email):
            c.rememberEmail(email)
            return try c.render(
                "message",
                [
                    "heading": c.t("email_changed_title"), "message": c.t("email_changed_message", ["email": email]), "link": "/account",
                    "link_label": c.t("menu_account"),
                ], title: c.t("email_changed_title"))
        case .taken:
            return try c.render(
                "message",
                [
                    "heading": c.t("email_taken_title"), "message": c.t("email_taken_message"), "link": "/account",
                    "link_label": c.t("menu_account"),
                ], status: 409, title: c.t("email_taken_title"))
        case .linkProblem(let problem):
            return try PasswordPages.linkProblem(c, problem)
        }
    }

    static func showPassword(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        return try passwordForm(c, account: account, errors: [])
    }

    static func submitPassword(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        switch try PasswordChange(c.dependencies).change(
            account: account, current: c.form.string("current_password"), password: c.form.string("password"),
            confirmation: c.form.string("password_confirm"), keepSessionID: session.id, client: c.client)
        {
        case .changed: return c.redirect("/account?done=password")
        case .invalid(let errors): return try passwordForm(c, account: account, errors: errors)
        case .linkProblem: return c.redirect("/account")
        }
    }

    private static func passwordForm(_ c: RequestContext, account: Account, errors: [FieldError]) throws -> HTTPResponse {
        var model = c.formModel(values: ["email": account.email], errors: errors)
        model["email"] = account.email
        model["samples"] = PasswordPolicy().samples(random: c.dependencies.random)
        model["samples_link"] = "/account/password#samples"
        return try c.render("account_password", model, status: errors.isEmpty ? 200 : 400, title: c.t("change_password_title"))
    }

    static func showDelete(_ c: RequestContext) throws -> HTTPResponse {
        guard try c.session() != nil else { return c.redirectToSignIn() }
        return try c.render("account_delete", c.formModel(values: [:], errors: []), title: c.t("delete_title"))
    }

    static func submitDelete(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        switch try AccountService(c.dependencies).delete(account: account, password: c.form.string("password"), client: c.client) {
        case .done:
            c.clearCookie(RequestContext.sessionCookie)
            c.clearCookie(RequestContext.emailCookie)
            return try c.render("account_deleted", [:], title: c.t("deleted_title"))
        case .invalid(let errors):
            return try c.render("account_delete", c.formModel(values: [:], errors: errors), status: 400, title: c.t("delete_title"))
        }
    }
}
