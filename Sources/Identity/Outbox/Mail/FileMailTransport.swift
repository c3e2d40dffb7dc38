import Foundation

/// Writes each message as `<message-id>.eml` into a directory (for development and for pickup by
/// another program). Written to a temporary file and renamed, so a reader never sees half a
/// message and delivering the same id again replaces the file instead of adding a second one.
public struct FileMailTransport: MailTransport {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(_ message: [UInt8], messageID: String, from: String, to: String) -> MailDeliveryResult {
        if let failure = AtomicFile.store(message, directory: directory, name: Self.fileName(for: messageID), kind: "mail") {
            return .temporaryFailure(failure)
        }
        return .delivered
    }

    static func fileName(for messageID: String) -> String {
        AtomicFile.safeName(messageID) + ".eml"
    }
}
