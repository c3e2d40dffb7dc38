import Foundation
import TestSupport
import Testing

/// The shipped message catalogs: a JSON parser silently keeps one of two equal keys, so a key written twice (easy when
/// features add messages side by side) would show the wrong text without any error.
@Suite struct LocaleFileTests {
    static let directory = TestHarness.repositoryRoot + "/templates/locales"
    static let languages = ["en", "fr", "de"]

    func keys(_ language: String) throws -> [String] {
        let text = try String(contentsOfFile: "\(Self.directory)/\(language).json", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  \""), let end = line.dropFirst(3).firstIndex(of: "\"") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
    }

    @Test(arguments: languages) func everyKeyIsWrittenOnce(_ language: String) throws {
        let all = try keys(language)
        let repeated = Dictionary(grouping: all, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "\(language).json repeats \(repeated)")
        #expect(all.count > 300)
    }

    @Test(arguments: languages.dropFirst()) func everyLanguageHasEveryEnglishMessage(_ language: String) throws {
        let english = Set(try keys("en"))
        let other = Set(try keys(language))
        #expect(english.subtracting(other).sorted() == [], "missing in \(language).json")
        #expect(other.subtracting(english).sorted() == [], "only in \(language).json")
    }
}
