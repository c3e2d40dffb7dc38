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

    @Test func everyLanguageRendersInItsOwnWordsBeforeAndAfterTheBackgroundCompile() throws {
        let renderer = try PageRenderer(templatesDirectory: TestHarness.repositoryRoot + "/templates", languages: ["en", "fr", "de"])
        let german = renderer.page("logged_out", language: "de", model: [:])
        #expect(german.contains("Sie sind abgemeldet"))
        renderer.compileAllLanguages()
        #expect(renderer.page("logged_out", language: "de", model: [:]) == german)
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
