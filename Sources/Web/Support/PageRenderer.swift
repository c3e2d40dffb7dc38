import Foundation
import Identity
import Mustache

/// Renders pages and e-mails from the Mustache templates with the message catalogs.
///
/// Templates are loaded once at start-up and compiled once per language: every `{{t.key}}` is
/// replaced by the (escaped) message before parsing, so a request only looks up its own values.
/// A missing template, or a message that could smuggle in a Mustache tag, stops the start.
public final class PageRenderer: MailRendering, Sendable {
    let libraries: [String: MustacheLibrary]
    public let locales: Locales

    public static let requiredTemplates = [
        "layout", "login_email", "login_password", "signed_in", "logged_out", "register", "mail_sent",
        "password_set", "password_done", "link_problem", "lost_password", "account", "account_profile",
        "account_email", "account_password", "account_delete", "account_deleted", "message", "error", "cas_post", "account_sessions",
        "account_phones", "account_phone_add", "account_phone_confirm",
        "mail/layout.html", "mail/layout.text",
    ]

    public init(templatesDirectory: String, languages: [String]) throws {
        locales = try Locales(directory: templatesDirectory + "/locales", languages: languages)
        let sources = try Self.templateSources(in: templatesDirectory)
        for name in Self.requiredTemplates where sources[name] == nil {
            throw RendererError.missingTemplate(name)
        }
        var libraries: [String: MustacheLibrary] = [:]
        for language in languages {
            let catalog = locales.catalog(language)
            if let key = catalog.first(where: { $0.value.contains("{{") || $0.value.contains("}}") })?.key {
                throw RendererError.unsafeMessage(language: language, key: key)
            }
            var library = MustacheLibrary()
            for (name, source) in sources {
                do {
                    try library.register(Self.localize(source, catalog: catalog), named: name)
                } catch {
                    throw RendererError.invalidTemplate(name, "\(error)")
                }
            }
            libraries[language] = library
        }
        self.libraries = libraries
    }

    /// Renders `template` inside the layout, in `language`.
    public func page(_ template: String, language: String, model: [String: Any]) -> String {
        let library = libraries[language] ?? libraries[locales.languages[0]]!
        var context = model
        context["content"] = library.render(context, withTemplate: template) ?? ""
        return library.render(context, withTemplate: "layout") ?? ""
    }

    public func render(_ content: MailContent) -> RenderedMail {
        let t = Translator(language: content.language, catalog: locales.catalog(content.language))
        let prefix = "mail_\(content.template)"
        var paragraphs: [String] = []
        var index = 1
        while t.catalog["\(prefix)_p\(index)"] != nil {
            paragraphs.append(t("\(prefix)_p\(index)", content.values))
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
        let library = libraries[t.language] ?? libraries[locales.languages[0]]!
        return RenderedMail(
            subject: t("\(prefix)_subject", content.values),
            text: library.render(context, withTemplate: "mail/layout.text") ?? "",
            html: library.render(context, withTemplate: "mail/layout.html") ?? "")
    }

    public func shortText(_ key: String, language: String, values: [String: String]) -> String {
        Translator(language: language, catalog: locales.catalog(language))(key, values)
    }

    /// Every `*.mustache` file under `directory`, named by its relative path without the extension.
    static func templateSources(in directory: String) throws -> [String: String] {
        let base = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            throw RendererError.missingTemplate("layout")
        }
        var sources: [String: String] = [:]
        for case let url as URL in enumerator where url.pathExtension == "mustache" {
            let relative = url.standardizedFileURL.path.dropFirst(base.path.count + 1)
            sources[String(relative.dropLast(".mustache".count))] = try String(contentsOf: url, encoding: .utf8)
        }
        return sources
    }

    /// Replaces `{{t.key}}` (escaped) and `{{{t.key}}}` (raw) with the catalog's message.
    static func localize(_ source: String, catalog: [String: String]) -> String {
        var output = ""
        output.reserveCapacity(source.utf8.count * 2)
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            let raw = afterOpen.hasPrefix("{")
            let nameStart = raw ? afterOpen.index(after: afterOpen.startIndex) : afterOpen.startIndex
            let closing = raw ? "}}}" : "}}"
            guard afterOpen[nameStart...].hasPrefix("t."), let close = afterOpen[nameStart...].range(of: closing) else {
                output += "{{"
                rest = afterOpen
                continue
            }
            let key = String(afterOpen[afterOpen.index(nameStart, offsetBy: 2)..<close.lowerBound])
            let message = catalog[key] ?? key
            output += raw ? message : htmlEscape(message)
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        return output
    }

    static func htmlEscape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// Why the templates could not be loaded.
public enum RendererError: Error, CustomStringConvertible {
    case missingTemplate(String)
    case invalidTemplate(String, String)
    case unsafeMessage(language: String, key: String)

    public var description: String {
        switch self {
        case .missingTemplate(let name): "template \(name).mustache is missing"
        case .invalidTemplate(let name, let problem): "template \(name).mustache cannot be parsed: \(problem)"
        case .unsafeMessage(let language, let key): "message \(key) in \(language).json contains a Mustache tag"
        }
    }
}
