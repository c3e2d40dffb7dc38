import Cryptography
import FastCGI
import Foundation
import Identity
import Storage

/// My Account → authenticator app: enrolment with a QR code, replacement and removal.
enum AuthenticatorPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/authenticator") { return redirect }
        return try page(c, account: account, errors: [])
    }

    static func submit(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/authenticator") { return redirect }
        switch try AuthenticatorApps(c.dependencies).confirm(account: account, newCode: c.form.string("otp"), client: c.client) {
        case .done: return c.redirect("/account?done=authenticator_added")
        case .invalid(let errors): return try page(c, account: account, errors: errors)
        }
    }

    static func remove(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        if let redirect = try c.requireFreshVerification(session, account, returnTo: "/account/authenticator") { return redirect }
        try AuthenticatorApps(c.dependencies).remove(account: account, client: c.client)
        return c.redirect("/account?done=authenticator_removed")
    }

    static func qrSVG(_ c: RequestContext) throws -> HTTPResponse {
        try qr(c) { code in HTTPResponse(status: 200, contentType: "image/svg+xml", body: code.svg()) }
    }

    static func qrPNG(_ c: RequestContext) throws -> HTTPResponse {
        try qr(c) { code in HTTPResponse(status: 200, headers: [("Content-Type", "image/png")], body: code.png()) }
    }

    /// The pending secret of the signed-in account only (`SecurityHeaders` marks it `no-store`, as every page).
    private static func qr(_ c: RequestContext, _ render: (QRCode) -> HTTPResponse) throws -> HTTPResponse {
        let apps = AuthenticatorApps(c.dependencies)
        guard let (_, account) = try c.session(), let secret = try apps.existingPendingSecret(for: account),
            let code = QRCode(apps.keyURI(secret: secret, account: account))
        else { return HTTPResponse(status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n") }
        return render(code)
    }

    private static func page(_ c: RequestContext, account: Account, errors: [FieldError]) throws -> HTTPResponse {
        let apps = AuthenticatorApps(c.dependencies)
        let secret = try apps.pendingSecret(for: account)
        let hasApp = try apps.hasActive(account)
        var model = c.formModel(values: [:], errors: errors)
        model["has_app"] = hasApp
        model["secret_groups"] = AuthenticatorApps.grouped(secret)
        model["issuer"] = c.settings.organisation.name
        model["email"] = account.email
        return try c.render("account_authenticator", model, status: errors.isEmpty ? 200 : 400, title: c.t("authenticator_title"))
    }
}
