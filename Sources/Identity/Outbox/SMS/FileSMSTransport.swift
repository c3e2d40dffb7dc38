import Foundation

/// Writes each message as `<id>.json` (`{"id","to","text","created_at"}`) into a directory: for development, and for
/// pickup by another program. Written atomically; sending the same id again replaces the file.
public struct FileSMSTransport: SMSTransport {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func send(_ message: OutgoingSMS) -> MailDeliveryResult {
        let object: [String: String] = [
            "id": message.id, "to": message.to, "text": message.text,
            "created_at": message.createdAt.formatted(.iso8601),
        ]
        guard let json = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return .permanentFailure("message cannot be written as JSON")
        }
        if let failure = AtomicFile.store(
            [UInt8](json) + [0x0A], directory: directory, name: AtomicFile.safeName(message.id) + ".json", kind: "SMS")
        {
            return .temporaryFailure(failure)
        }
        return .delivered
    }
}
