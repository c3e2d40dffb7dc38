import FastCGI
import Foundation
import Identity
import Storage

/// My Account → hardware tokens: the linked tokens, unlinking, and linking by serial number and a code
/// (for a challenge-response token, by the response to a challenge shown on a second step).
enum TokenPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        guard let (_, account) = try c.session() else { return c.redirectToSignIn() }
        return try page(c, account: account, serial: "", challenge: nil, errors: [])
    }

    static func link(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/tokens") { return redirect }
        let serial = c.form.string("serial")
        switch try HardwareTokens(c.dependencies).link(
            account: account, serial: serial, code: c.form.string("otp"), reference: c.form.string("reference"), client: c.client)
        {
        case .linked: return c.redirect("/account?done=token_added")
        case .challenge(let serial, let reference, let question, let error):
            return try page(c, account: account, serial: serial, challenge: (reference, question), errors: error.map { [$0] } ?? [])
        case .invalid(let errors): return try page(c, account: account, serial: serial, challenge: nil, errors: errors)
        }
    }

    static func unlink(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/tokens") { return redirect }
        // Nothing to unlink (a second click, another tab): the page shows what is linked now.
        guard try HardwareTokens(c.dependencies).unlink(account: account, serial: c.form.string("serial"), client: c.client) else {
            return c.redirect("/account/tokens")
        }
        return c.redirect("/account?done=token_removed")
    }

    private static func page(
        _ c: RequestContext, account: Account, serial: String, challenge: (reference: String, question: String)?, errors: [FieldError]
    ) throws -> HTTPResponse {
        let linked = try HardwareTokens(c.dependencies).linked(to: account)
        var model = c.formModel(values: ["serial": serial], errors: errors)
        model["tokens"] = linked.map { ["serial": $0.serial, "kind": c.t("tokens_kind_\($0.kind.rawValue)")] }
        model["has_tokens"] = !linked.isEmpty
        if let challenge {
            model["challenge"] = [
                "reference": challenge.reference, "serial": serial, "question_grouped": LoginPages.grouped(challenge.question),
            ]
        }
        let title = c.t(challenge == nil ? "tokens_title" : "tokens_challenge_title")
        return try c.render("account_tokens", model, status: errors.isEmpty ? 200 : 400, title: title)
    }
}
