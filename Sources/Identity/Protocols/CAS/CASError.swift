/// A CAS validation failure as the specification names it; knows its XML and JSON form.
public struct CASError: Error, Sendable, Equatable {
    public enum Code: String, Sendable {
        case invalidRequest = "INVALID_REQUEST"
        case invalidTicketSpec = "INVALID_TICKET_SPEC"
        case invalidTicket = "INVALID_TICKET"
        case invalidService = "INVALID_SERVICE"
        case internalError = "INTERNAL_ERROR"
        case unauthorizedServiceProxy = "UNAUTHORIZED_SERVICE_PROXY"
        case invalidProxyCallback = "INVALID_PROXY_CALLBACK"
        /// `/proxy` only: the target service may not receive a proxy ticket.
        case unauthorizedService = "UNAUTHORIZED_SERVICE"
    }

    /// Which request failed: a validation, or a `/proxy` request for a proxy ticket.
    public enum Kind: String, Sendable {
        case authentication = "authenticationFailure"
        case proxy = "proxyFailure"
    }

    public var code: Code
    /// For the service's operator; never holds anything the caller did not send.
    public var description: String
    public var kind: Kind

    public init(_ code: Code, _ description: String, kind: Kind = .authentication) {
        self.code = code
        self.description = description
        self.kind = kind
    }

    public var xml: String {
        """
        <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
          <cas:\(kind.rawValue) code="\(code.rawValue)">\(XMLText.escape(description))</cas:\(kind.rawValue)>
        </cas:serviceResponse>

        """
    }

    public var json: String {
        JSONText.object([
            (
                "serviceResponse",
                JSONText.object([
                    (
                        kind.rawValue,
                        JSONText.object([("code", JSONText.string(code.rawValue)), ("description", JSONText.string(description))])
                    )
                ])
            )
        ])
    }
}

/// Escaping for XML text and attribute values.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Characters XML 1.0 cannot carry at all are dropped rather than producing an unparsable document.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": continue
            case "\u{FFFE}", "\u{FFFF}": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A minimal JSON writer for the fixed shapes of CAS responses (keys keep their order).
public enum JSONText {
    public static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
