/// Every URL the appliance answers, its method and its handler: the whole surface in one place.
enum Routes {
    static let table: [Route] = [
        .get("/healthz", HealthPages.health),
        .get("/privacy", HealthPages.privacy),
        .get("/brand.css", HealthPages.brandStylesheet),

        // Sign-in and sign-out
        .get("/login", LoginPages.show),
        .post("/login", LoginPages.submit),
        .get("/logout", LoginPages.logout),
        .get("/unlock", LoginPages.unlock),

        // CAS ticket validation and proxy tickets, called by services' back ends (sign-in and logout are /login and /logout)
        .get("/validate", CASValidationPages.validate),
        .get("/serviceValidate", CASValidationPages.serviceValidate),
        .get("/p3/serviceValidate", CASValidationPages.serviceValidateV3),
        .get("/proxyValidate", CASValidationPages.proxyValidate),
        .get("/p3/proxyValidate", CASValidationPages.proxyValidateV3),
        .get("/proxy", CASValidationPages.proxy),

        // Self-registration and its CAPTCHA
        .get("/register", RegisterPages.show),
        .post("/register", RegisterPages.submit),
        .get("/captcha/image", RegisterPages.captchaImage),
        .get("/captcha/audio", RegisterPages.captchaAudio),
        .get("/captcha/new", RegisterPages.newCaptcha),

        // Choosing a password from an e-mailed link, and asking for a new link
        .get("/password/set", PasswordPages.show),
        .post("/password/set", PasswordPages.submit),
        .get("/password/samples", PasswordPages.samples),
        .get("/password/lost", PasswordPages.showLost),
        .post("/password/lost", PasswordPages.submitLost),

        // My Account
        .get("/account", AccountPages.overview),
        .get("/account/profile", AccountPages.showProfile),
        .post("/account/profile", AccountPages.submitProfile),
        .get("/account/email", AccountPages.showEmail),
        .post("/account/email", AccountPages.submitEmail),
        .get("/account/email/confirm", AccountPages.confirmEmail),
        .get("/account/password", AccountPages.showPassword),
        .post("/account/password", AccountPages.submitPassword),
        .get("/account/delete", AccountPages.showDelete),
        .post("/account/delete", AccountPages.submitDelete),
        .get("/account/authenticator", AuthenticatorPages.show),
        .post("/account/authenticator", AuthenticatorPages.submit),
        .post("/account/authenticator/remove", AuthenticatorPages.remove),
        .get("/account/authenticator/qr.svg", AuthenticatorPages.qrSVG),
        .get("/account/authenticator/qr.png", AuthenticatorPages.qrPNG),
        .get("/account/phones", PhonePages.list),
        .get("/account/phones/add", PhonePages.showAdd),
        .post("/account/phones/add", PhonePages.submitAdd),
        .get("/account/phones/confirm", PhonePages.showConfirm),
        .post("/account/phones/confirm", PhonePages.submitConfirm),
        .post("/account/phones/resend", PhonePages.resend),
        .post("/account/phones/delete", PhonePages.delete),
        .get("/account/panic", EmergencyRemovalPages.show),
        .post("/account/panic", EmergencyRemovalPages.submit),
        .get("/account/tokens", TokenPages.show),
        .post("/account/tokens", TokenPages.link),
        .post("/account/tokens/unlink", TokenPages.unlink),
        .get("/account/sessions", SessionPages.show),
        .post("/account/sessions/end", SessionPages.endOne),
        .post("/account/sessions/end-others", SessionPages.endOthers),

        // The cookie notice's "OK"
        .post("/cookies/dismiss", HealthPages.dismissNotice),
    ]
}
