import Foundation
import TestSupport
import Testing

@testable import Web

@Suite struct PageRendererTests {
    @Test func messagesAreEscapedUnlessTripleAndOtherTagsStay() {
        let catalog = ["a": "Tom & <Jerry>", "b": "raw <b>"]
        #expect(PageRenderer.localize("x {{t.a}} y", catalog: catalog) == "x Tom &amp; &lt;Jerry&gt; y")
        #expect(PageRenderer.localize("{{{t.b}}}!", catalog: catalog) == "raw <b>!")
        #expect(PageRenderer.localize("{{name}} {{#list}}{{.}}{{/list}}", catalog: catalog) == "{{name}} {{#list}}{{.}}{{/list}}")
        #expect(PageRenderer.localize("{{t.missing}}", catalog: catalog) == "missing")
        #expect(PageRenderer.localize("open {{t.a and never closed", catalog: catalog) == "open {{t.a and never closed")
        #expect(PageRenderer.localize("é {{t.a}} ü", catalog: catalog) == "é Tom &amp; &lt;Jerry&gt; ü")
    }

    @Test func everyLanguageRendersInItsOwnWordsWhenFirstAskedAndOnceCompiled() throws {
        let renderer = try PageRenderer(templatesDirectory: TestHarness.repositoryRoot + "/templates", languages: ["en", "fr", "de"])
        let german = renderer.page("logged_out", language: "de", model: [:])
        #expect(german.contains("Sie sind abgemeldet"))
        #expect(renderer.page("logged_out", language: "de", model: [:]) == german)
        #expect(renderer.page("logged_out", language: "fr", model: [:]) != german)
        #expect(renderer.page("logged_out", language: "xx", model: [:]) == renderer.page("logged_out", language: "en", model: [:]))
    }

    @Test func aMissingTemplateStopsTheStart() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: TestHarness.repositoryRoot + "/templates", toPath: folder.path)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("login_challenge.mustache"))
        #expect(throws: RendererError.self) { try PageRenderer(templatesDirectory: folder.path, languages: ["en", "fr", "de"]) }
    }
}

@Suite struct LongDateTests {
    @Test func keptTextsAreWhatTheFormatterWrites() {
        let dates = LongDates()
        for language in ["en", "fr", "de"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: language)
            formatter.dateStyle = .long
            formatter.timeStyle = .none
            formatter.timeZone = TimeZone(identifier: "UTC")
            // Around midnight UTC, before 1970 too: each instant gets its own day's text, first and second time.
            for seconds in [0.0, -0.5, 86399.9, 86400, 1_795_651_199, 1_795_651_200, -86401] {
                let date = Date(timeIntervalSince1970: seconds)
                #expect(dates.string(date, language: language) == formatter.string(from: date), "\(language) \(seconds)")
                #expect(dates.string(date, language: language) == formatter.string(from: date), "\(language) \(seconds)")
            }
        }
    }
}
