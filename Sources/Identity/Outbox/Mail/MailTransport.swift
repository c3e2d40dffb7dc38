import Foundation

/// Puts one rendered message on its way to one recipient.
public protocol MailTransport: Sendable {
    /// `from` and `to` are the envelope addresses (bare addr-specs); `messageID` names the message
    /// so that a transport can make re-delivery idempotent.
    func deliver(_ message: [UInt8], messageID: String, from: String, to: String) -> MailDeliveryResult
}

/// What a delivery attempt came to; the reason is a short text for logs and operators only.
public enum MailDeliveryResult: Sendable, Equatable {
    case delivered
    /// Worth retrying later (server busy, network down, misconfiguration the operator can fix).
    case temporaryFailure(String)
    /// Retrying cannot help (recipient rejected, message refused).
    case permanentFailure(String)
}

/// Why a `[mail] transport` URL cannot be used.
public enum MailTransportConfigurationError: Error, Equatable, CustomStringConvertible {
    case unsupportedScheme(String)
    case invalidURL(String)
    case invalidOption(String)
    case programNotExecutable(String)

    public var description: String {
        switch self {
        case .unsupportedScheme(let scheme):
            "unsupported mail transport scheme '\(scheme)' (use smtp, smtps, sendmail or file)"
        case .invalidURL(let detail): "invalid mail transport URL: \(detail)"
        case .invalidOption(let detail): "invalid mail transport option: \(detail)"
        case .programNotExecutable(let path): "sendmail program is not executable: \(path)"
        }
    }
}

/// Builds the transport named by a configuration URL.
public enum MailTransports {
    /// `file:///abs/dir`, `sendmail:/abs/program`, `smtp://[user[:password]@]host[:port][?tls=…]`
    /// or `smtps://…`; `caFile` adds trusted CA certificates for SMTP over TLS.
    public static func make(url: String, caFile: String?) throws -> any MailTransport {
        guard let colon = url.firstIndex(of: ":") else { throw MailTransportConfigurationError.invalidURL("no scheme") }
        let scheme = url[..<colon].lowercased()
        let rest = String(url[url.index(after: colon)...])
        switch scheme {
        case "file":
            guard rest.hasPrefix("///") || rest.hasPrefix("//localhost/"),
                let parsed = URL(string: url), parsed.path.hasPrefix("/")
            else { throw MailTransportConfigurationError.invalidURL("file transport needs file:///absolute/directory") }
            return FileMailTransport(directory: parsed.path)
        case "sendmail":
            guard rest.hasPrefix("/"), !rest.hasPrefix("//") else {
                throw MailTransportConfigurationError.invalidURL("sendmail transport needs sendmail:/absolute/program")
            }
            guard FileManager.default.isExecutableFile(atPath: rest) else {
                throw MailTransportConfigurationError.programNotExecutable(rest)
            }
            return SendmailTransport(program: rest)
        case "smtp", "smtps":
            return try SMTPTransport(configuration: SMTPConfiguration(url: url, caFile: caFile))
        default:
            throw MailTransportConfigurationError.unsupportedScheme(String(scheme))
        }
    }
}

/// Envelope addresses go into SMTP commands and program arguments, so they are checked strictly.
enum EnvelopeAddress {
    /// Non-empty, no whitespace or control characters, no angle brackets, not option-like.
    static func isValid(_ address: String) -> Bool {
        !address.isEmpty && address.utf8.count <= 320 && !address.hasPrefix("-") && address.contains("@")
            && address.unicodeScalars.allSatisfy {
                $0.value > 32 && $0.value != 127 && !(0x80...0x9F).contains($0.value) && $0 != "<" && $0 != ">"
                    && !$0.properties.isWhitespace
            }
    }
}
