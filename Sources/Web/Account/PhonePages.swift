import FastCGI
import Foundation
import Identity
import Storage

/// My Account → mobile phone numbers: the list with delete buttons, and adding a number with the code sent to it.
/// Every change needs a fresh verification at the account's strongest level.
enum PhonePages {
    static func list(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        let numbers = try PhoneNumbers(c.dependencies).numbers(of: account)
        let done = c.query["done"].flatMap { ["added", "removed"].contains($0) ? $0 : nil }
        let model: [String: Any] = [
            "numbers": numbers.map { ["number": $0.number, "delete_label": c.t("phones_delete_label", ["number": $0.number])] },
            "has_numbers": !numbers.isEmpty,
            "has_status": done != nil,
            "status_message": done.map { c.t("phones_done_\($0)") } ?? "",
        ]
        return try c.render("account_phones", model, title: c.t("phones_title"))
    }

    static func showAdd(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/phones/add") { return redirect }
        return try addForm(c, phone: "", errors: [])
    }

    static func submitAdd(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/phones/add") { return redirect }
        let phone = c.form.string("phone")
        switch try PhoneNumbers(c.dependencies).startAdding(account: account, phone: phone, client: c.client) {
        case .sent: return c.redirect("/account/phones/confirm")
        case .invalid(let errors): return try addForm(c, phone: phone, errors: errors)
        }
    }

    static func showConfirm(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        guard let pending = try PhoneNumbers(c.dependencies).pending(of: account) else { return c.redirect("/account/phones/add") }
        return try confirmPage(c, pending, typed: [:], errors: [], resent: c.query["resent"] == "1")
    }

    static func submitConfirm(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/phones/confirm") { return redirect }
        let phones = PhoneNumbers(c.dependencies)
        // The first box also takes the whole code, typed or pasted.
        let typed = ["otp_1": c.form.string("otp_1"), "otp_2": c.form.string("otp_2")]
        let code = typed["otp_1"]! + typed["otp_2"]!
        if SMSCode.normalize(code).isEmpty, let pending = try phones.pending(of: account) {
            return try confirmPage(c, pending, typed: typed, errors: [FieldError(field: "otp_1", messageKey: "error_sms_code_missing")])
        }
        switch try phones.finishAdding(account: account, code: code, client: c.client) {
        case .added: return c.redirect("/account/phones?done=added")
        case .wrong:
            guard let pending = try phones.pending(of: account) else { return c.redirect("/account/phones/add") }
            return try confirmPage(c, pending, typed: typed, errors: [FieldError(field: "otp_1", messageKey: "error_sms_code_wrong")])
        case .expired:
            return try addForm(c, phone: "", errors: [FieldError(field: "phone", messageKey: "error_sms_code_expired")])
        case .exhausted:
            return try addForm(c, phone: "", errors: [FieldError(field: "phone", messageKey: "error_sms_code_exhausted")])
        }
    }

    static func resend(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/phones/confirm") { return redirect }
        let phones = PhoneNumbers(c.dependencies)
        let refusal: String
        switch try phones.resend(account: account, client: c.client) {
        case .sent: return c.redirect("/account/phones/confirm?resent=1")
        case .tooEarly: refusal = "error_sms_resend_too_early"
        case .throttled: refusal = "error_sms_throttled"
        case .finished:
            return try addForm(c, phone: "", errors: [FieldError(field: "phone", messageKey: "error_sms_code_expired")])
        }
        guard let pending = try phones.pending(of: account) else { return c.redirect("/account/phones/add") }
        return try confirmPage(c, pending, typed: [:], errors: [FieldError(field: "resend", messageKey: refusal)])
    }

    static func delete(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/phones") { return redirect }
        let removed = try PhoneNumbers(c.dependencies).remove(account: account, number: c.form.string("phone"), client: c.client)
        return c.redirect(removed ? "/account/phones?done=removed" : "/account/phones")
    }

    private static func addForm(_ c: RequestContext, phone: String, errors: [FieldError]) throws -> HTTPResponse {
        try c.render(
            "account_phone_add", c.formModel(values: ["phone": phone], errors: errors), status: errors.isEmpty ? 200 : 400,
            title: c.t("phone_add_title"))
    }

    private static func confirmPage(
        _ c: RequestContext, _ pending: PhoneNumbers.Pending, typed: [String: String], errors: [FieldError], resent: Bool = false
    ) throws -> HTTPResponse {
        var model = c.formModel(values: typed, errors: errors)
        model["intro"] = c.t("phone_confirm_intro", ["number": pending.number])
        model["number"] = pending.number
        model["resent"] = resent
        return try c.render("account_phone_confirm", model, status: errors.isEmpty ? 200 : 400, title: c.t("phone_confirm_title"))
    }
}
