import Basics
import FastCGI
import Foundation
import Identity
import Logging
import Storage

/// Everything a handler needs about one request, and the cookies it wants to set.
final class RequestContext {
    static let sessionCookie = "la_sso"
    static let emailCookie = "la_email"
    static let languageCookie = "la_lang"
    static let noticeCookie = "la_notice"

    let request: HTTPRequest
    let app: WebApp
    let query: FormData
    let form: FormData
    let cookies: RequestCookies
    let t: Translator
    let client: ClientInfo
    var outgoingCookies: [SetCookie] = []
    /// The CSRF seed the browser sent, if usable.
    private let sentCSRFSeed: String?
    /// The seed drawn for this response when the browser sent none: its token is not worth remembering yet.
    private var drawnCSRFSeed: String?
    private var loadedSession: (SSOSession, Account)??

    var dependencies: Dependencies { app.dependencies }
    var settings: Settings { app.dependencies.settings }
    var logger: Logger { app.logger }

    init(request: HTTPRequest, app: WebApp, query: FormData, form: FormData) {
        self.request = request
        self.app = app
        self.query = query
        self.form = form
        cookies = RequestCookies(header: request.header("cookie"))
        client = ClientInfo(ip: request.remoteAddress, userAgent: request.header("user-agent") ?? "")
        let locales = app.renderer.locales
        var language = locales.languages[0]
        if let asked = query["lang"], locales.languages.contains(asked) {
            language = asked
        } else if let saved = cookies[Self.languageCookie], locales.languages.contains(saved) {
            language = saved
        } else if let negotiated = locales.negotiate(acceptLanguage: request.header("accept-language")) {
            language = negotiated
        }
        t = Translator(language: language, catalog: locales.catalog(language))
        sentCSRFSeed = cookies[CSRF.cookieName].flatMap { $0.isEmpty || $0.utf8.count > 64 ? nil : $0 }
        if let asked = query["lang"], locales.languages.contains(asked), asked != cookies[Self.languageCookie] {
            setCookie(Self.languageCookie, asked, maxAge: 365 * 86400)
        }
    }

    func setCookie(_ name: String, _ value: String, maxAge: Int? = nil) {
        outgoingCookies.append(SetCookie(name: name, value: value, maxAge: maxAge, secure: app.cookiesAreSecure))
    }

    func clearCookie(_ name: String) {
        outgoingCookies.append(.expired(name, secure: app.cookiesAreSecure))
    }

    // MARK: CSRF

    var csrfToken: String {
        if let sentCSRFSeed { return app.csrf.token(forSeed: sentCSRFSeed) }
        if drawnCSRFSeed == nil {
            drawnCSRFSeed = dependencies.random.token(byteCount: 24)
            setCookie(CSRF.cookieName, drawnCSRFSeed!)
        }
        return app.csrf.token(forSeed: drawnCSRFSeed!, remember: false)
    }

    var csrfIsValid: Bool {
        app.csrf.isValid(token: form.string(CSRF.fieldName), seed: cookies[CSRF.cookieName])
    }

    // MARK: Session

    /// The signed-in session and account, if any (looked up once per request).
    func session() throws -> (SSOSession, Account)? {
        if let loadedSession { return loadedSession }
        let found = try cookies[Self.sessionCookie].flatMap { try SessionService(dependencies).current(token: $0) }
        loadedSession = .some(found)
        return found
    }

    func startSession(token: String) {
        setCookie(Self.sessionCookie, token)
        loadedSession = nil
    }

    /// The e-mail address the browser remembers from an earlier sign-in.
    var rememberedEmail: String? {
        guard let raw = cookies[Self.emailCookie], let bytes = Base64URL.decode(raw),
            let email = String(validating: bytes, as: UTF8.self), EmailAddress.isValid(email)
        else { return nil }
        return email
    }

    func rememberEmail(_ email: String) {
        setCookie(Self.emailCookie, Base64URL.encode(Array(email.utf8)), maxAge: settings.login.rememberEmailDays * 86400)
    }
}
