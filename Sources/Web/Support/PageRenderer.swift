import Foundation
import Identity
import Mustache

/// Renders pages and e-mails from the Mustache templates with the message catalogs.
/// Templates are loaded once at start-up; a missing one stops the start.
public final class PageRenderer: MailRendering, Sendable {
    let library: MustacheLibrary
    public let locales: Locales

    public static let requiredTemplates = [
        "layout", "login_email", "login_password", "signed_in", "logged_out", "register", "mail_sent",
        "password_set", "password_done", "link_problem", "lost_password", "account", "account_profile",
        "account_email", "account_password", "account_delete", "account_deleted", "message", "error",
        "mail/layout.html", "mail/layout.text",
    ]

    public init(templatesDirectory: String, languages: [String]) async throws {
        library = try await MustacheLibrary(directory: templatesDirectory)
        locales = try Locales(directory: templatesDirectory + "/locales", languages: languages)
        for name in Self.requiredTemplates where library.getTemplate(named: name) == nil {
            throw RendererError.missingTemplate(name)
        }
    }

    /// Renders `template` inside the layout.
    public func page(_ template: String, model: [String: Any], chrome: [String: Any]) -> String {
        var context = chrome
        for (key, value) in model { context[key] = value }
        let content = library.render(context, withTemplate: template) ?? ""
        context["content"] = content
        return library.render(context, withTemplate: "layout") ?? content
    }

    public func render(_ content: MailContent) -> RenderedMail {
        let t = Translator(language: content.language, catalog: locales.catalog(content.language))
        let prefix = "mail_\(content.template)"
        var paragraphs: [String] = []
        var index = 1
        while let paragraph = t.catalog["\(prefix)_p\(index)"] {
            paragraphs.append(Translator(language: t.language, catalog: ["p": paragraph])("p", content.values))
            index += 1
        }
        let context: [String: Any] = [
            "greeting": t("mail_greeting", content.values),
            "paragraphs": paragraphs,
            "link": content.values["link"] ?? "",
            "has_link": content.values["link"] != nil,
            "link_label": t("\(prefix)_link_label", content.values),
            "link_hint": t("mail_link_hint"),
            "signature": t("mail_signature", content.values),
            "footer": t("mail_footer", content.values),
            "lang": content.language,
        ]
        return RenderedMail(
            subject: t("\(prefix)_subject", content.values),
            text: library.render(context, withTemplate: "mail/layout.text") ?? "",
            html: library.render(context, withTemplate: "mail/layout.html") ?? "")
    }
}

/// Why the templates could not be loaded.
public enum RendererError: Error, CustomStringConvertible {
    case missingTemplate(String)
    public var description: String {
        switch self {
        case .missingTemplate(let name): "template \(name).mustache is missing"
        }
    }
}
