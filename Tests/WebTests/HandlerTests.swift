import FastCGI
import Foundation
import Identity
import TestSupport
import Testing

@Suite struct HandlerTests {
    let strong = "Correct-Horse-42-battery"

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        let h = try await TestHarness.make()
        let client = TestClient(app: h.app)
        for response in [client.get("/login"), client.get("/nope"), client.post("/login", form: [:], withCSRF: false)] {
            #expect(response.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(response.header("X-Frame-Options") == "DENY")
            #expect(response.header("Referrer-Policy") == "no-referrer")
        }
    }

    @Test func postsWithoutAValidCSRFTokenAreRefused() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        client.get("/login")
        #expect(client.post("/login", form: ["email": "ada@example.org"], withCSRF: false).status == 403)
        #expect(client.post("/login", form: ["email": "ada@example.org", "csrf": "forged"]).status == 403)
        let stranger = TestClient(app: h.app)
        let token = stranger.csrfToken()
        #expect(client.post("/login", form: ["email": "ada@example.org", "csrf": token]).status == 403)
        #expect(client.post("/login", form: ["email": "ada@example.org"]).status == 303)
    }

    @Test func twoStepSignInSetsASessionCookieAndShowsTheSignedInPage() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        let emailStep = client.post("/login", form: ["email": "ada@example.org"])
        #expect(emailStep.status == 303)
        let passwordPage = client.text(client.get("/login"))
        #expect(passwordPage.contains("ada@example.org") && passwordPage.contains(#"name="password""#))
        let done = client.post("/login", form: ["email": "ada@example.org", "password": strong, "method": "password", "next": "/account"])
        #expect(done.status == 303 && done.header("Location") == "/account")
        let cookie = try #require(done.headers.first { $0.name == "Set-Cookie" && $0.value.hasPrefix("la_sso=") }?.value)
        #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax") && !cookie.contains("Max-Age"))
        #expect(client.text(client.get("/account")).contains("Lovelace"))
        // Only the SHA-256 of the session token is stored.
        let token = try #require(client.cookies["la_sso"])
        #expect(try h.database.read { try $0.activeSession(idHash: Array(token.utf8), at: h.clock.now()) } == nil)
    }

    @Test func wrongPasswordGetsAClearMessageAndKeepsTheEmail() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        let page = client.post("/login", form: ["email": "ada@example.org", "password": "wrong", "method": "password"])
        #expect(page.status == 401)
        let text = client.text(page)
        #expect(text.contains("The e-mail address or the password is not right."))
        #expect(text.contains(#"value="ada@example.org""#))
    }

    @Test func unknownEmailGoesToRegistrationUnlessConfiguredOtherwise() async throws {
        let revealing = try await TestHarness.make()
        let client = TestClient(app: revealing.app)
        #expect(client.post("/login", form: ["email": "new@example.org"]).header("Location") == "/register?email=new%40example.org")
        let discreet = try await TestHarness.make { $0.login.revealUnknownEmail = false }
        let other = TestClient(app: discreet.app)
        #expect(other.post("/login", form: ["email": "new@example.org"]).header("Location") == "/login")
    }

    @Test func errorPagesNeverShowInternals() async throws {
        let h = try await TestHarness.make()
        let client = TestClient(app: h.app)
        for response in [
            client.get("/missing"), client.send(method: "DELETE", target: "/login", body: []),
            client.send(
                method: "POST", target: "/login", body: Array("a=%ZZ".utf8), headers: ["content-type": "application/x-www-form-urlencoded"]),
        ] {
            let text = client.text(response)
            #expect((400..<500).contains(response.status))
            #expect(!text.contains(".swift") && !text.contains("SQLITE") && !text.contains("Error("))
        }
    }

    @Test func accountPagesNeedASession() async throws {
        let h = try await TestHarness.make()
        let client = TestClient(app: h.app)
        for path in ["/account", "/account/profile", "/account/email", "/account/password", "/account/delete"] {
            let response = client.get(path)
            #expect(response.status == 303 && response.header("Location")?.hasPrefix("/login?next=") == true, "\(path)")
        }
    }

    @Test func headRequestsGetHeadersOnly() async throws {
        let h = try await TestHarness.make()
        let response = TestClient(app: h.app).send(method: "HEAD", target: "/login", body: [])
        #expect(response.status == 200 && response.body.isEmpty)
    }
}

@Suite struct ThrottledEmailStepTests {
    @Test func theEmailStepIsThrottledPerClientAddress() async throws {
        let h = try await TestHarness.make()
        let client = TestClient(app: h.app)
        var statuses: [Int] = []
        for _ in 0..<(RateLimit.emailStepPerIP.limit + 1) {
            statuses.append(client.post("/login", form: ["email": "someone@example.org"]).status)
        }
        #expect(statuses.dropLast().allSatisfy { $0 == 303 })
        #expect(statuses.last == 429)
        let other = TestClient(app: h.app)
        other.ip = "192.0.2.99"
        #expect(other.post("/login", form: ["email": "someone@example.org"]).status == 303)
    }
}

@Suite struct PageCacheTests {
    @Test func theCSRFTokenAppearsOnlyInTheFormsWhateverTheQuery() async throws {
        let h = try await TestHarness.make { $0.languages = ["en", "fr"] }
        let client = TestClient(app: h.app)
        for query in ["", "?lang=fr", "?x=%3Ccsrf-slot%3E", "?x=<csrf-slot>", "?change=<csrf-slot>"] {
            for _ in 0..<2 {  // the second request is served from the cache when the page is cacheable
                let page = client.text(client.get("/login" + query))
                let token = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
                let forms = page.matches(of: /name="csrf"/).count
                #expect(forms >= 1)
                #expect(page.components(separatedBy: String(token)).count - 1 == forms, "query \(query)")
            }
        }
    }

    @Test func theCachedAccountPageShowsOnlyItsOwnAccountAndFollowsChanges() async throws {
        let h = try await TestHarness.make()
        let strong = "Correct-Horse-42-battery"
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        _ = try h.makeAccount(email: "grace@example.org", password: strong, firstName: "Grace", lastName: "Hopper")
        func signedIn(_ email: String) -> TestClient {
            let client = TestClient(app: h.app)
            client.post("/login", form: ["email": email])
            client.post("/login", form: ["email": email, "password": strong, "method": "password"])
            return client
        }
        let ada = signedIn("ada@example.org")
        let grace = signedIn("grace@example.org")
        for _ in 0..<2 {
            for (client, own, other) in [(ada, "Lovelace", "Hopper"), (grace, "Hopper", "Lovelace")] {
                let page = client.text(client.get("/account"))
                #expect(page.contains(own) && !page.contains(other))
                // The CSRF token in the page is the browser's own.
                let token = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
                #expect(String(token) == client.csrfToken())
            }
        }
        #expect(ada.post("/account/profile", form: ["first_name": "Augusta", "last_name": "King", "email_lang": "en"]).status == 303)
        let changed = ada.text(ada.get("/account?done=profile"))
        #expect(changed.contains("Augusta King") && !changed.contains("Lovelace") && changed.contains("has been saved"))
        let again = ada.text(ada.get("/account"))
        #expect(again.contains("Augusta King") && !again.contains("has been saved"))
    }

    @Test func aCachedPageWithoutFormsNeedsNoCSRFToken() async throws {
        let h = try await TestHarness.make()
        let strong = "Correct-Horse-42-battery"
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        client.post("/login", form: ["email": "ada@example.org"])
        client.post("/login", form: ["email": "ada@example.org", "password": strong, "method": "password"])
        client.cookies["la_notice"] = "1"  // the cookie notice, the page's only form, was dismissed
        #expect(client.get("/account").status == 200)  // now kept in the cache
        client.cookies["la_csrf"] = nil
        let hit = client.get("/account")
        #expect(hit.status == 200 && client.text(hit).contains("Lovelace") && !client.text(hit).contains("name=\"csrf\""))
        #expect(!hit.headers.contains { $0.name == "Set-Cookie" && $0.value.hasPrefix("la_csrf=") })
        // With the notice shown the page has a form again: the browser gets a seed and the page its token.
        client.cookies["la_notice"] = nil
        for _ in 0..<2 {
            let page = client.text(client.get("/account"))
            let token = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            #expect(client.cookies["la_csrf"] != nil && String(token) == client.csrfToken())
        }
    }
}
