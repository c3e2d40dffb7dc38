import Foundation

/// The appliance's configuration, as read from the TOML file and validated by `Commands`.
public struct Settings: Sendable {
    public struct Server: Sendable {
        public var baseURL = "http://127.0.0.1:8080"
        public var socket = "data/appliance.sock"
        public var socketMode: UInt16 = 0o660
        /// Worker threads. libfcgi ties a worker to one nginx connection for as long as nginx keeps it
        /// open, so there must be more workers than concurrent upstream connections (nginx's upstream
        /// `keepalive` plus the requests in flight): beyond that, connections wait in the socket's backlog.
        /// Idle threads cost almost nothing, hence a generous default.
        public var workers = 64
        public var maxBodyBytes = 1 << 20
        public init() {}
    }
    public struct Storage: Sendable {
        public var path = "data/appliance.sqlite"
        public var masterKey = "data/master.key"
        public init() {}
    }
    public struct Mail: Sendable {
        public var transport = "file://data/mail"
        public var from = "no-reply@localhost"
        public var fromName = ""
        public var caFile: String?
        public init() {}
    }
    /// How text messages leave: `transport` is `file:///folder`, `command:/program` or an HTTP gateway's URL; the
    /// other keys shape the gateway's request.
    public struct SMS: Sendable {
        public var transport = "file://sms"
        public var method = "POST"
        public var contentType = "application/x-www-form-urlencoded"
        /// Nil: `to={to}&text={text}`, or `{"to":"{to}","text":"{text}"}` for JSON.
        public var body: String?
        /// One header line, such as `Authorization: Bearer …`.
        public var authHeader: String?
        public var caFile: String?
        public init() {}
    }
    public struct Registration: Sendable {
        public var enabled = true
        public var captcha = true
        public var privacyURL = ""
        public init() {}
    }
    public struct Login: Sendable {
        public var revealUnknownEmail = true
        public var rememberEmailDays = 365
        /// An SSO session ends after this long even if used continuously.
        public var sessionHours = 10.0
        /// …and after this long without use.
        public var idleMinutes = 120.0
        public init() {}
    }
    public struct Organisation: Sendable {
        public var name = "Login Appliance"
        public var logoURL = ""
        public var primaryColor = "#1d4f91"
        public init() {}
    }
    public struct Passwords: Sendable {
        public var leakedList = "share/leaked-passwords/common-passwords.lst"
        public init() {}
    }
    public struct Paths: Sendable {
        public var templates = "templates"
        public var espeak = "/usr/bin/espeak-ng"
        public init() {}
    }

    public struct CAS: Sendable {
        /// How long a service ticket may wait for its validation (the CAS specification allows at most 5 minutes).
        public var ticketSeconds = 300
        /// CA certificates for verifying services' HTTPS back-channel endpoints (nil: the system's).
        public var caFile: String?
        public init() {}
    }

    public var server = Server()
    public var storage = Storage()
    public var mail = Mail()
    public var sms = SMS()
    public var registration = Registration()
    public var login = Login()
    public var organisation = Organisation()
    public var passwords = Passwords()
    public var paths = Paths()
    public var cas = CAS()
    /// The `[[service]]` blocks as read at start: the only applications that may receive tickets and
    /// redirects. Requests use `Dependencies.services`, which `serve` replaces on SIGHUP.
    public var services = ServiceRegistry([])
    /// Languages offered in the selector and for e-mails, first is the default.
    public var languages = ["en", "fr", "de"]

    public init() {}

    /// Cookies drop `Secure` only for a plain-http loopback development URL.
    public var cookiesAreSecure: Bool {
        guard let url = URL(string: server.baseURL), url.scheme == "http" else { return true }
        return !["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host ?? "")
    }
}
