import Foundation

/// A parsed `smtp://` or `smtps://` transport URL.
public struct SMTPConfiguration: Sendable, Equatable {
    /// How TLS is used on the connection.
    public enum Security: Sendable, Equatable {
        /// Plain SMTP, never upgraded.
        case none
        /// STARTTLS when the server offers it, plain otherwise.
        case opportunistic
        /// STARTTLS or fail.
        case required
        /// TLS from the first byte (smtps, usually port 465).
        case implicit
    }

    /// The URL handed to libcurl: scheme, host, port and optional path, without credentials or query.
    public var serverURL: String
    public var username: String?
    public var password: String?
    public var security: Security
    public var caFile: String?

    /// Credentials are percent-decoded. Without an explicit `tls=`, STARTTLS is opportunistic, but
    /// required when credentials are given so that a downgrade cannot expose the password.
    public init(url: String, caFile: String?) throws {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps"
        else { throw MailTransportConfigurationError.invalidURL("not an smtp:// or smtps:// URL") }
        guard let host = components.host, !host.isEmpty else {
            throw MailTransportConfigurationError.invalidURL("missing host")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw MailTransportConfigurationError.invalidURL("port out of range")
        }
        username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        if username == nil, password != nil {
            throw MailTransportConfigurationError.invalidURL("password without user name")
        }
        var tls: String?
        for item in components.queryItems ?? [] {
            guard item.name == "tls", tls == nil, let value = item.value else {
                throw MailTransportConfigurationError.invalidOption(
                    "unknown or repeated query parameter '\(item.name)'")
            }
            tls = value
        }
        switch (scheme, tls) {
        case ("smtps", nil), ("smtps", "required"): security = .implicit
        case ("smtps", let other?): throw MailTransportConfigurationError.invalidOption("smtps cannot use tls=\(other)")
        case (_, nil): security = username == nil ? .opportunistic : .required
        case (_, "required"): security = .required
        case (_, "opportunistic"): security = .opportunistic
        case (_, "none"): security = .none
        case (_, let other?):
            throw MailTransportConfigurationError.invalidOption("tls=\(other) (use required, opportunistic or none)")
        }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        components.scheme = scheme
        guard let server = components.string else {
            throw MailTransportConfigurationError.invalidURL("cannot rebuild URL")
        }
        serverURL = server
        self.caFile = caFile
    }
}
