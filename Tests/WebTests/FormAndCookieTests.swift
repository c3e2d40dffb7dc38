import Basics
import Cryptography
import Foundation
import TestSupport
import Testing

@testable import FastCGI
@testable import Web

@Suite struct FormAndCookieTests {
    @Test func decodesPercentEncodingPlusAndRepeatedFields() throws {
        let form = try #require(FormData(urlEncoded: Array("a=1+2&b=%C3%A9t%C3%A9&a=3&empty=&flag".utf8)))
        #expect(form["a"] == "1 2")
        #expect(form.all("a") == ["1 2", "3"])
        #expect(form["b"] == "été")
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func rejectsBrokenEncodingInvalidUTF8NULAndTooManyFields() {
        #expect(FormData(urlEncoded: Array("a=%ZZ".utf8)) == nil)
        #expect(FormData(urlEncoded: Array("a=%4".utf8)) == nil)
        #expect(FormData(urlEncoded: Array("a=%FF%FE".utf8)) == nil)
        #expect(FormData(urlEncoded: Array("a=x%00y".utf8)) == nil)
        let many = (0...FormData.maximumFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(FormData(urlEncoded: Array(many.utf8)) == nil)
        #expect(FormData(urlEncoded: [0xFF, 0x3D, 0x31]) == nil)
    }

    @Test func encodeRoundTrips() throws {
        let value = "a b&c=d/é?%"
        let form = try #require(FormData(query: "x=" + FormData.encode(value)))
        #expect(form["x"] == value)
    }

    @Test func cookiesParseLeniently() {
        let cookies = RequestCookies(header: "a=1; b=\"two\"; junk; c=; a=ignored")
        #expect(cookies["a"] == "1")
        #expect(cookies["b"] == "two")
        #expect(cookies["c"] == "")
        #expect(cookies["junk"] == nil)
        #expect(RequestCookies(header: String(repeating: "x", count: 9000) + "=1")["x"] == nil)
        #expect(RequestCookies(header: nil)["a"] == nil)
        let spaced = RequestCookies(header: ";;\t d = 4 ;e=\"\";f=\";g=x=y;  h=é ; ;")
        #expect(spaced["d "] == " 4" && spaced["e"] == "" && spaced["f"] == "\"" && spaced["g"] == "x=y" && spaced["h"] == "é")
    }

    @Test func setCookieHasTheHouseDefaults() {
        let session = SetCookie(name: "la_sso", value: "v", secure: true).headerValue
        #expect(session == "la_sso=v; Path=/; SameSite=Lax; Secure; HttpOnly")
        #expect(SetCookie.expired("x", secure: false).headerValue.contains("Max-Age=0"))
    }

    @Test func onlyLocalPathsAreAcceptedAsDestinations() {
        #expect(LocalPath.sanitize("/account") == "/account")
        #expect(LocalPath.sanitize("/account?x=1") == "/account?x=1")
        for hostile in ["//evil.test", "/\\evil.test", "https://evil.test", "evil", "/a b", "/x\r\nSet-Cookie:a=b", nil] {
            #expect(LocalPath.sanitize(hostile) == nil)
        }
    }

    @Test func acceptLanguageNegotiation() throws {
        let locales = try Locales(directory: TestPaths.templates + "/locales", languages: ["en"])
        #expect(locales.negotiate(acceptLanguage: "de-DE, en;q=0.5") == "en")
        #expect(locales.negotiate(acceptLanguage: "de") == nil)
        #expect(locales.negotiate(acceptLanguage: nil) == nil)
    }
}

enum TestPaths {
    static let templates = TestHarness.repositoryRoot + "/templates"
}

@Suite struct HeaderNameTests {
    @Test func cgiParametersSplitAtTheFirstEqualsSign() {
        let texts = ["QUERY_STRING=a=b&c=d", "NO_EQUALS", "EMPTY=", "HTTP_X_NAME=Zoë"]
        let invalidUTF8: [UInt8] = Array("BAD=".utf8) + [0xFF, 0]
        let entries: [UnsafeMutablePointer<CChar>?] =
            texts.map { strdup($0) } + [
                invalidUTF8.withUnsafeBufferPointer { strdup(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
            ]
        defer { entries.forEach { free($0) } }
        var array = entries + [nil]
        let parameters = array.withUnsafeMutableBufferPointer { FastCGIServer.parameters($0.baseAddress) }
        #expect(parameters == ["QUERY_STRING": "a=b&c=d", "EMPTY": "", "HTTP_X_NAME": "Zoë", "BAD": "\u{FFFD}"])
        #expect(FastCGIServer.parameters(nil).isEmpty)
    }

    @Test func cgiParametersBecomeLowerCaseHeaderNames() {
        let request = HTTPRequest(
            parameters: ["HTTP_USER_AGENT": "t", "HTTP_X_FORWARDED_FOR": "1", "HTTP_ACCEPT_LANGUAGE": "de", "HTTP_COOKIE": "a=b"], body: [])
        #expect(request.header("user-agent") == "t" && request.header("x-forwarded-for") == "1")
        #expect(request.header("accept-language") == "de" && request.header("cookie") == "a=b")
    }

    @Test func responseHeadersAreFoundWhateverTheirCase() {
        var response = HTTPResponse(status: 200, contentType: "text/plain", body: "")
        response.addHeader("Cache-Control", "no-store")
        #expect(response.header("cache-control") == "no-store" && response.header("CACHE-CONTROL") == "no-store")
        #expect(response.header("cache-contro") == nil && response.header("cache-control2") == nil)
        // Only letters fold: "-" and "\r" differ by the same bit as "A" and "a" but are not the same character.
        response.addHeader("X-A", "1")
        #expect(response.header("x\rA") == nil && response.header("x-a") == "1")
    }

    @Test func aHeaderValueCannotStartAnotherHeader() {
        // "\r\n" is a single Character in Swift: a filter over Characters would keep it.
        let response = HTTPResponse(status: 303, headers: [("Location", "/x\r\nSet-Cookie: a=1\rB: 2\nC: 3")])
        let text = String(decoding: response.serialized(), as: UTF8.self)
        #expect(text == "Status: 303 See Other\r\nLocation: /xSet-Cookie: a=1B: 2C: 3\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func headNamesEveryLengthAndStatusInDecimal() {
        for (count, digits) in [(0, "0"), (9, "9"), (10, "10"), (99, "99"), (100, "100"), (123_456, "123456")] {
            let head = String(
                decoding: HTTPResponse(status: 200, body: [UInt8](repeating: 0x41, count: count)).serializedHead(), as: UTF8.self)
            #expect(head == "Status: 200 OK\r\nContent-Length: \(digits)\r\n\r\n")
        }
        let odd = HTTPResponse(status: 599, headers: [("X-Empty", ""), ("X-\r\nName", "é\n"), ("Vary", "Cookie")])
        #expect(
            String(decoding: odd.serialized(), as: UTF8.self)
                == "Status: 599 Status\r\nX-Empty: \r\nX-Name: é\r\nVary: Cookie\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func serializedResponseEndsWithItsBody() {
        let response = HTTPResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "héllo")
        let text = String(decoding: response.serialized(), as: UTF8.self)
        #expect(text == "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n\r\nhéllo")
    }
}

@Suite struct PageCacheSlotTests {
    static func key(path: String = "/p", query: String = "", values: [String]) -> PageCache.Key {
        PageCache.Key(template: "t", language: "en", showsNotice: true, path: path, query: query, values: values)
    }

    @Test func aPageWithoutSlotsNeverAsksForTheToken() {
        let cache = PageCache()
        var asked = 0
        let token = {
            asked += 1
            return "T0k"
        }
        #expect(cache.store(Self.key(values: ["plain"]), page: "no slot", csrf: token) == Array("no slot".utf8))
        #expect(cache.cached(Self.key(values: ["plain"]), csrf: token) == Array("no slot".utf8))
        #expect(asked == 0)
        _ = cache.store(Self.key(values: ["slot"]), page: "a\(PageCache.escapedSlot)b", csrf: token)
        #expect(cache.cached(Self.key(values: ["slot"]), csrf: token) == Array("aT0kb".utf8))
        #expect(asked == 2)
    }

    @Test func keysThatWouldSpellTheSameTextStayApart() {
        let cache = PageCache()
        _ = cache.store(Self.key(values: ["ab", "c"]), page: "first", csrf: { "" })
        _ = cache.store(Self.key(path: "/p|", values: ["b"]), page: "second", csrf: { "" })
        #expect(cache.cached(Self.key(values: ["a", "bc"]), csrf: { "" }) == nil)
        #expect(cache.cached(Self.key(values: ["abc"]), csrf: { "" }) == nil)
        #expect(cache.cached(Self.key(path: "/p", values: ["|b"]), csrf: { "" }) == nil)
        #expect(cache.cached(Self.key(values: ["ab", "c"]), csrf: { "" }).map { String(decoding: $0, as: UTF8.self) } == "first")
        var other = Self.key(values: ["ab", "c"])
        other.showsNotice = false
        #expect(cache.cached(other, csrf: { "" }) == nil)
    }

    @Test func everySlotTakesTheTokenAtTheEdgesSideBySideAndInMultiByteText() {
        let cache = PageCache()
        let k = Self.key(values: ["k"])
        let slot = PageCache.escapedSlot
        let page = "\(slot)é\(slot)\(slot)ü–\(slot)&lt;csrf-slot"
        #expect(cache.cached(k, csrf: { "T0k" }) == nil)
        let stored = cache.store(k, page: page, csrf: { "T0k" })
        for body in [stored, cache.cached(k, csrf: { "T0k" }) ?? []] {  // as rendered, then from the cache
            #expect(String(decoding: body, as: UTF8.self) == "T0kéT0kT0kü–T0k&lt;csrf-slot")
        }
        #expect(String(decoding: cache.cached(k, csrf: { "0th3r" }) ?? [], as: UTF8.self) == "0th3ré0th3r0th3rü–0th3r&lt;csrf-slot")
        #expect(String(decoding: cache.store(Self.key(values: ["plain"]), page: "no slot", csrf: { "T0k" }), as: UTF8.self) == "no slot")
        #expect(cache.store(Self.key(values: ["empty"]), page: "", csrf: { "T0k" }).isEmpty)
    }
}

@Suite struct CSRFTokenTests {
    let key = Array("a CSRF key of test".utf8)

    func expected(_ seed: String) -> String { Base64URL.encode(HMAC.sha256(key: key, message: Array(seed.utf8))) }

    @Test func rememberedTokensAreTheHMACsOfTheirOwnSeed() {
        let csrf = CSRF(key: key)
        let seeds = (0..<(CSRF.rememberedTokens + 10)).map { "seed-\($0)" }
        for _ in 0..<2 {  // worked out, then remembered (the table is emptied once on the way)
            for seed in seeds { #expect(csrf.token(forSeed: seed) == expected(seed)) }
        }
        #expect(csrf.isValid(token: expected("seed-1"), seed: "seed-1"))
        #expect(!csrf.isValid(token: expected("seed-1"), seed: "seed-2"))
        #expect(
            !csrf.isValid(token: "", seed: "seed-1") && !csrf.isValid(token: expected(""), seed: "") && !csrf.isValid(token: "x", seed: nil)
        )
    }

    @Test func seedsThatOnlyLookAlikeGetTheirOwnTokens() {
        let csrf = CSRF(key: key)
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // equal as Swift texts, different as bytes
        #expect(csrf.token(forSeed: composed) == expected(composed))
        #expect(csrf.token(forSeed: decomposed) == expected(decomposed))
        #expect(!csrf.isValid(token: expected(composed), seed: decomposed))
    }

    @Test func manyThreadsShareTheTableSafely() async {
        let csrf = CSRF(key: key)
        let wrong = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<600).filter { csrf.token(forSeed: "s\(($0 * 7 + task) % 700)") != expected("s\(($0 * 7 + task) % 700)") }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }

    @Test func onlySeedsThatBrowsersSendBackAreRemembered() async throws {
        let h = try await TestHarness.make()
        for _ in 0..<3 {  // cookieless clients (a bot, a health check) each get a new seed
            let client = TestClient(app: h.app)
            #expect(client.get("/login").status == 200 && client.cookies["la_csrf"] != nil)
        }
        #expect(h.app.csrf.rememberedSeeds == 0)
        let browser = TestClient(app: h.app)
        for _ in 0..<3 { #expect(browser.text(browser.get("/login")).contains(browser.csrfToken())) }
        #expect(h.app.csrf.rememberedSeeds == 1)
    }
}
