import Foundation
import Identity
import Mustache

/// Renders pages and e-mails from the Mustache templates with the message catalogs.
///
/// Templates are loaded once at start-up and compiled once per language: every `{{t.key}}` is
/// replaced by the (escaped) message before parsing, so a request only looks up its own values.
/// A missing template, or a message that could smuggle in a Mustache tag, stops the start.
public final class PageRenderer: MailRendering, Sendable {
    private let sources: [String: String]
    private let libraries: CompiledLibraries
    public let locales: Locales

    public static let requiredTemplates = [
        "layout", "login_email", "login_password", "login_challenge", "signed_in", "logged_out", "register", "mail_sent",
        "password_set", "password_done", "link_problem", "lost_password", "account", "account_profile",
        "account_email", "account_password", "account_delete", "account_deleted", "message", "error", "cas_post", "account_sessions",
        "account_phones", "account_phone_add", "account_phone_confirm", "account_tokens", "account_authenticator", "account_panic",
        "mail/layout.html", "mail/layout.text",
    ]

    public init(templatesDirectory: String, languages: [String]) throws {
        locales = try Locales(directory: templatesDirectory + "/locales", languages: languages)
        sources = try Self.templateSources(in: templatesDirectory)
        for name in Self.requiredTemplates where sources[name] == nil {
            throw RendererError.missingTemplate(name)
        }
        for language in languages {
            if let key = locales.catalog(language).first(where: {
                $0.value.firstRange(of: "{{") != nil || $0.value.firstRange(of: "}}") != nil
            })?.key {
                throw RendererError.unsafeMessage(language: language, key: key)
            }
        }
        // Compiling is most of the start-up time. The first language is compiled now, which proves that every
        // template parses (messages cannot add tags, so the others parse too); each other one by the first request
        // that needs it, so that a server whose users all read one language holds one compiled set.
        libraries = CompiledLibraries(fallback: try Self.compile(sources, catalog: locales.catalog(languages[0])))
    }

    private func library(_ language: String) -> MustacheLibrary {
        guard language != locales.languages[0], locales.languages.contains(language) else { return libraries.fallback }
        if let compiled = libraries[language] { return compiled }
        // A concurrent request may compile the same language: both results are equal, the last one stays.
        let compiled = (try? Self.compile(sources, catalog: locales.catalog(language))) ?? libraries.fallback
        libraries[language] = compiled
        return compiled
    }

    private static func compile(_ sources: [String: String], catalog: [String: String]) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, source) in sources {
            do {
                try library.register(localize(source, catalog: catalog), named: name)
            } catch {
                throw RendererError.invalidTemplate(name, "\(error)")
            }
        }
        return library
    }

    /// Renders `template` inside the layout, in `language`.
    public func page(_ template: String, language: String, model: [String: Any]) -> String {
        let library = library(language)
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
        let library = library(t.language)
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

    /// Replaces `{{t.key}}` (escaped) and `{{{t.key}}}` (raw) with the catalog's message. Works on UTF-8 bytes: it
    /// runs over every template for every language at start-up.
    static func localize(_ source: String, catalog: [String: String]) -> String {
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        let bytes = Array(source.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == open, index + 1 < bytes.count, bytes[index + 1] == open else {
                output.append(bytes[index])
                index += 1
                continue
            }
            let raw = index + 2 < bytes.count && bytes[index + 2] == open
            let nameStart = index + (raw ? 3 : 2)
            let closing = raw ? 3 : 2
            let isMessage =
                nameStart + 1 < bytes.count && bytes[nameStart] == UInt8(ascii: "t") && bytes[nameStart + 1] == UInt8(ascii: ".")
            var end = nameStart
            while isMessage, end + closing <= bytes.count, bytes[end..<end + closing].contains(where: { $0 != close }) { end += 1 }
            guard isMessage, end + closing <= bytes.count else {
                output += [open, open]
                index += 2
                continue
            }
            let key = String(decoding: bytes[(nameStart + 2)..<end], as: UTF8.self)
            let message = catalog[key] ?? key
            output += (raw ? message : htmlEscape(message)).utf8
            index = end + closing
        }
        return String(decoding: output, as: UTF8.self)
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

/// The compiled template libraries by language, filled as languages are first needed.
private final class CompiledLibraries: @unchecked Sendable {
    let fallback: MustacheLibrary
    private let lock = NSLock()
    private var byLanguage: [String: MustacheLibrary] = [:]

    init(fallback: MustacheLibrary) {
        self.fallback = fallback
    }

    subscript(language: String) -> MustacheLibrary? {
        get { lock.withLock { byLanguage[language] } }
        set { lock.withLock { byLanguage[language] = newValue } }
    }
}
