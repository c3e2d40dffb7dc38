import Foundation

/// One text message on its way to one mobile phone number.
public struct OutgoingSMS: Sendable, Equatable {
    /// Names the message so that a transport can make re-delivery idempotent.
    public var id: String
    /// E.164.
    public var to: String
    public var text: String
    public var createdAt: Date

    public init(id: String, to: String, text: String, createdAt: Date) {
        self.id = id
        self.to = to
        self.text = text
        self.createdAt = createdAt
    }
}

/// Puts text messages on their way: a file, a local program or an HTTP gateway.
public protocol SMSTransport: Sendable {
    func send(_ message: OutgoingSMS) -> MailDeliveryResult
}

/// Why the `[sms]` settings cannot be used.
public struct SMSConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The key at fault, such as `sms.transport`.
    public var key: String
    public var problem: String
    public var description: String { "\(key): \(problem)" }
}

/// Builds the transport the `[sms]` settings name.
public enum SMSTransports {
    /// `file:///abs/dir`, `command:/abs/program`, or an `https://…` gateway (`http://` only on loopback).
    public static func make(_ settings: Settings.SMS) throws -> any SMSTransport {
        let url = settings.transport
        let scheme = url.firstIndex(of: ":").map { url[..<$0].lowercased() } ?? ""
        switch scheme {
        case "file":
            guard url.hasPrefix("file:///") || url.hasPrefix("file://localhost/"), let parsed = URL(string: url), parsed.path.hasPrefix("/")
            else { throw SMSConfigurationError(key: "sms.transport", problem: "file transport needs file:///absolute/directory") }
            return FileSMSTransport(directory: parsed.path)
        case "command":
            let program = String(url.dropFirst("command:".count))
            guard program.hasPrefix("/"), !program.hasPrefix("//") else {
                throw SMSConfigurationError(key: "sms.transport", problem: "command transport needs command:/absolute/program")
            }
            guard FileManager.default.isExecutableFile(atPath: program) else {
                throw SMSConfigurationError(key: "sms.transport", problem: "\(program) is not an executable program")
            }
            return CommandSMSTransport(program: program)
        case "http", "https":
            return HTTPSMSTransport(gateway: try SMSGateway(settings))
        default:
            throw SMSConfigurationError(
                key: "sms.transport", problem: "unsupported SMS transport '\(url)' (use https://…, command:/program or file:///folder)")
        }
    }
}
