import Foundation

/// How to call an HTTP SMS gateway, from `[sms]`: the URL, method, content type, body template and authorisation
/// header. `{to}` and `{text}` in the URL and the body are replaced by the number and the text, escaped for where
/// they land, so that no text can change the request's structure.
public struct SMSGateway: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        case form
        case json
        case xml
        case plain
    }

    public let url: String
    public let method: String
    public let contentType: String
    public let encoding: Encoding
    public let body: String
    public let authHeader: String?
    public let caFile: String?

    /// Checks every key; the first problem found is thrown (with its key).
    public init(_ settings: Settings.SMS) throws {
        guard let parsed = URL(string: settings.transport), let scheme = parsed.scheme?.lowercased(), let host = parsed.host,
            !host.isEmpty
        else { throw SMSConfigurationError(key: "sms.transport", problem: "not a valid URL") }
        if scheme == "http", !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) {
            throw SMSConfigurationError(
                key: "sms.transport", problem: "plain http only for a gateway on this machine (127.0.0.1); use https")
        }
        method = settings.method.uppercased()
        guard ["GET", "POST", "PUT"].contains(method) else {
            throw SMSConfigurationError(key: "sms.method", problem: "must be GET, POST or PUT")
        }
        let type = settings.contentType.lowercased()
        if type.hasPrefix("application/x-www-form-urlencoded") {
            encoding = .form
        } else if type.hasPrefix("application/json") || type.hasSuffix("+json") {
            encoding = .json
        } else if type.contains("xml") {
            encoding = .xml
        } else if type.hasPrefix("text/plain") {
            encoding = .plain
        } else {
            throw SMSConfigurationError(
                key: "sms.content_type", problem: "must be application/x-www-form-urlencoded, application/json, an XML type or text/plain")
        }
        if let header = settings.authHeader {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex,
                !header.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 })
            else {
                throw SMSConfigurationError(key: "sms.auth_header", problem: "must be one header line such as \"Authorization: Bearer …\"")
            }
        }
        url = settings.transport
        contentType = settings.contentType
        body = settings.body ?? (encoding == .json ? #"{"to":"{to}","text":"{text}"}"# : "to={to}&text={text}")
        authHeader = settings.authHeader
        caFile = settings.caFile
    }

    /// The request for one message.
    public func request(to number: String, text: String) -> (url: String, headers: [String], body: [UInt8]) {
        let url = Self.fill(url, to: number, text: text, escape: Self.percentEncode)
        var headers = authHeader.map { [$0] } ?? []
        guard method != "GET" else { return (url, headers, []) }
        headers.append("Content-Type: \(contentType)")
        let escape: (String) -> String =
            switch encoding {
            case .form: Self.percentEncode
            case .json: Self.jsonEscape
            case .xml: XMLText.escape
            case .plain: { $0 }
            }
        return (url, headers, Array(Self.fill(body, to: number, text: text, escape: escape).utf8))
    }

    /// Replaces both placeholders in one pass, so that a `{text}` inside the number (or the other way round) stays text.
    static func fill(_ template: String, to number: String, text: String, escape: (String) -> String) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            let tail = rest[open...]
            if tail.hasPrefix("{to}") {
                output += escape(number)
                rest = tail.dropFirst(4)
            } else if tail.hasPrefix("{text}") {
                output += escape(text)
                rest = tail.dropFirst(6)
            } else {
                output += "{"
                rest = tail.dropFirst()
            }
        }
        return output + rest
    }

    /// Form encoding (and URL query encoding): everything but unreserved ASCII as UTF-8 `%XX`.
    static func percentEncode(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(Character(Unicode.Scalar(byte)))
            default:
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    /// The inside of a JSON string (the template holds the quotes).
    static func jsonEscape(_ value: String) -> String {
        String(JSONText.string(value).dropFirst().dropLast())
    }
}
