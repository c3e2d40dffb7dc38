import Foundation
import Storage

/// Writes e-mails to the outbox inside the caller's transaction, so that a mail exists
/// exactly when the change that caused it was committed.
public struct Mailer: Sendable {
    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    public func enqueue(_ template: String, to account: Account, values: [String: String] = [:], in store: Store) throws {
        try enqueue(
            template, to: MailAddress(name: "\(account.firstName) \(account.lastName)", address: account.email),
            language: account.emailLanguage,
            values: values.merging(["first_name": account.firstName, "last_name": account.lastName, "email": account.email]) { a, _ in a },
            in: store)
    }

    public func enqueue(_ template: String, to recipient: MailAddress, language: String, values: [String: String], in store: Store) throws {
        let settings = dependencies.settings
        var allValues = values
        allValues["organisation"] = settings.organisation.name
        allValues["base_url"] = settings.server.baseURL
        let rendered = dependencies.mailRenderer.render(MailContent(template: template, language: language, values: allValues))
        let now = dependencies.clock.now()
        let domain = settings.mail.from.split(separator: "@").last.map(String.init) ?? "localhost"
        let messageID = MailMessage.makeMessageID(random: dependencies.random, domain: domain)
        let message = MailMessage(
            from: MailAddress(
                name: settings.mail.fromName.isEmpty ? settings.organisation.name : settings.mail.fromName, address: settings.mail.from),
            to: recipient,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            date: now,
            messageID: messageID,
            extraHeaders: [("Auto-Submitted", "auto-generated")])
        try store.enqueueMail(messageID: messageID, recipient: recipient.address, message: message.rfc5322(), at: now)
    }
}
