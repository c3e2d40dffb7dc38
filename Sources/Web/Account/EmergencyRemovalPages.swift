import FastCGI
import Identity

/// My Account → lost phone or token: removes every second factor after the password alone.
enum EmergencyRemovalPages {
    static func show(_ c: RequestContext) throws -> HTTPResponse {
        guard try c.session() != nil else { return c.redirectToSignIn() }
        return try page(c, errors: [])
    }

    static func submit(_ c: RequestContext) throws -> HTTPResponse {
        guard let (session, account) = try c.session() else { return c.redirectToSignIn() }
        let password = c.form.string("password")
        guard !password.isEmpty else { return try page(c, errors: [FieldError(field: "password", messageKey: "error_password_required")]) }
        if let error = try SecondFactors(c.dependencies).removeAll(from: account, password: password, keeping: session, client: c.client) {
            return try page(c, errors: [error])
        }
        return c.redirect("/account?done=factors_removed_all")
    }

    private static func page(_ c: RequestContext, errors: [FieldError]) throws -> HTTPResponse {
        try c.render(
            "account_panic", c.formModel(values: [:], errors: errors), status: errors.isEmpty ? 200 : 400, title: c.t("panic_title"))
    }
}
