import Foundation

/// The message catalogs (`templates/locales/<lang>.json`), loaded once at start-up.
public struct Locales: Sendable {
    /// Each language's catalog, already completed from the fallback language (merged once, not per request).
    public let catalogs: [String: [String: String]]
    /// Languages in the order the selector shows them; the first is the fallback.
    public let languages: [String]
    /// Each language's own name, for the selectors.
    public let names: [String: String]

    public init(directory: String, languages: [String]) throws {
        var catalogs: [String: [String: String]] = [:]
        for language in languages {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("\(language).json")
            let data = try Data(contentsOf: url)
            guard let catalog = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw LocaleError.notAFlatObject(url.path)
            }
            catalogs[language] = catalog
        }
        let fallback = catalogs[languages[0]] ?? [:]
        for language in languages.dropFirst() {
            catalogs[language] = fallback.merging(catalogs[language] ?? [:]) { _, mine in mine }
        }
        self.catalogs = catalogs
        self.languages = languages
        names = catalogs.mapValues { $0["language_name"] ?? "" }
    }

    /// The catalog for `language` (missing keys come from the fallback language); the fallback's for an unknown language.
    public func catalog(_ language: String) -> [String: String] {
        catalogs[language] ?? catalogs[languages[0]] ?? [:]
    }

    /// A language's own name ("Deutsch"), or its code when the catalog has none.
    public func name(of language: String) -> String {
        names[language].flatMap { $0.isEmpty ? nil : $0 } ?? language
    }

    /// The best supported language for an `Accept-Language` header.
    public func negotiate(acceptLanguage: String?) -> String? {
        guard let header = acceptLanguage else { return nil }
        var best: (String, Double)?
        for item in header.split(separator: ",").prefix(20) {
            let parts = item.split(separator: ";")
            let tag = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            let primary = String(tag.split(separator: "-").first ?? "")
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let kv = parameter.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix("q="), let q = Double(kv.dropFirst(2)) { quality = q }
            }
            if languages.contains(primary), quality > 0, quality > (best?.1 ?? -1) { best = (primary, quality) }
        }
        return best?.0
    }
}

/// Why the catalogs could not be loaded.
public enum LocaleError: Error, CustomStringConvertible {
    case notAFlatObject(String)
    public var description: String {
        switch self {
        case .notAFlatObject(let path): "\(path) must be a JSON object of strings"
        }
    }
}

/// Looks up messages in one language and fills `{placeholders}`.
public struct Translator: Sendable {
    public let language: String
    public let catalog: [String: String]

    public func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        var text = catalog[key] ?? key
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }
}
