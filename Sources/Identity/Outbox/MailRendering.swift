/// Which e-mail to write, in which language, with which values; the web layer renders it from templates.
public struct MailContent: Sendable {
    /// The template's name, e.g. "set_password"; also the prefix of its locale keys.
    public var template: String
    public var language: String
    public var values: [String: String]

    public init(template: String, language: String, values: [String: String]) {
        self.template = template
        self.language = language
        self.values = values
    }
}

/// An e-mail rendered in its reader's language.
public struct RenderedMail: Sendable {
    public var subject: String
    public var text: String
    public var html: String

    public init(subject: String, text: String, html: String) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Turns mail content into subject and bodies, and writes the short texts of SMS (implemented with the page
/// templates and locales).
public protocol MailRendering: Sendable {
    func render(_ content: MailContent) -> RenderedMail
    /// The message `key` in `language` with its `{placeholders}` filled, as plain text.
    func shortText(_ key: String, language: String, values: [String: String]) -> String
}
