import FastCGI
import Foundation
import Identity
import TestSupport
import Testing
import Web

@Suite struct CASHandlerTests {
    let strong = "Correct-Horse-42-battery"
    static let app = "https://app.example.org/cas?lang=en"

    func harness() async throws -> TestHarness {
        try await TestHarness.make { settings in
            settings.services = ServiceRegistry([
                RegisteredService(
                    name: "app", patterns: [servicePattern("https://app.example.org/*")],
                    attributes: ["email", "lastName"]),
                RegisteredService(
                    name: "vault", patterns: [servicePattern("https://vault.example.org/")], minimumLevel: .twoFactor),
            ])
        }
    }

    func loginURL(_ service: String, _ extra: String = "") -> String {
        "/login?service=\(FormData.encode(service))\(extra)"
    }

    /// The two sign-in steps for a CAS request; returns the final response.
    func signIn(_ client: TestClient, service: String, extra: [String: String] = [:]) -> HTTPResponse {
        let first = client.post("/login", form: ["email": "ada@example.org", "service": service].merging(extra) { a, _ in a })
        #expect(first.status == 303 && first.header("Location")?.hasPrefix("/login?service=") == true)
        let page = client.text(client.get(first.header("Location")!))
        #expect(page.contains(#"name="service" value="https://app.example.org/cas?lang=en""#) || !service.contains("app."))
        return client.post(
            "/login",
            form: ["email": "ada@example.org", "password": strong, "method": "password", "service": service].merging(extra) { a, _ in a })
    }

    func ticket(in location: String?) -> String? {
        guard let location, let range = location.range(of: "ticket=") else { return nil }
        return String(location[range.upperBound...])
    }

    @Test func unregisteredServiceGetsAnErrorPageWithoutALinkToIt() async throws {
        let h = try await harness()
        let client = TestClient(app: h.app)
        for url in ["https://evil.test/", "https://app.example.org.evil.test/", "https://app.example.org@evil.test/"] {
            let response = client.get(loginURL(url))
            #expect(response.status == 400)
            #expect(!client.text(response).contains("evil.test"))
            #expect(response.header("Location") == nil)
        }
    }

    @Test func signInThenRedirectWithTicketThenSSOForAnotherURL() async throws {
        let h = try await harness()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        let done = signIn(client, service: Self.app)
        #expect(done.status == 303)
        let location = try #require(done.header("Location"))
        #expect(location.hasPrefix(Self.app + "&ticket=ST-"))
        // A session exists now: the next service URL gets a ticket at once, without a form.
        let other = "https://app.example.org/other"
        let sso = client.get(loginURL(other))
        #expect(sso.status == 303 && sso.header("Location")?.hasPrefix(other + "?ticket=ST-") == true)

        let validator = TestClient(app: h.app)
        let xml = validator.text(validator.get("/p3/serviceValidate?service=\(FormData.encode(Self.app))&ticket=\(ticket(in: location)!)"))
        #expect(xml.contains("<cas:authenticationSuccess>") && xml.contains("<cas:email>ada@example.org</cas:email>"))
        #expect(xml.contains("<cas:lastName>Lovelace</cas:lastName>") && !xml.contains("firstName"))
        let v2 = validator.text(
            validator.get("/serviceValidate?service=\(FormData.encode(other))&ticket=\(ticket(in: sso.header("Location"))!)"))
        #expect(v2.contains("<cas:user>") && !v2.contains("<cas:attributes>"))
        #expect(validator.cookies.isEmpty)
    }

    @Test func gatewayWithoutSessionGoesBackWithoutTicket() async throws {
        let h = try await harness()
        let client = TestClient(app: h.app)
        let response = client.get(loginURL(Self.app, "&gateway=true"))
        #expect(response.status == 303 && response.header("Location") == Self.app)
    }

    @Test func renewShowsTheFormEvenWithASession() async throws {
        let h = try await harness()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        #expect(signIn(client, service: Self.app).status == 303)
        let page = client.get(loginURL(Self.app, "&renew=true"))
        #expect(page.status == 200 && client.text(page).contains(#"name="password""#))
        #expect(client.text(page).contains(#"name="renew" value="true""#))
        let done = signIn(client, service: Self.app, extra: ["renew": "true"])
        let fresh = try #require(ticket(in: done.header("Location")))
        let validator = TestClient(app: h.app)
        let v3 = validator.text(validator.get("/p3/serviceValidate?service=\(FormData.encode(Self.app))&ticket=\(fresh)&renew=true"))
        #expect(v3.contains("authenticationSuccess"))
    }

    @Test func serviceNeedingAStrongerLevelIsNeverSilentlyDowngraded() async throws {
        let h = try await harness()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        #expect(signIn(client, service: Self.app).status == 303)
        let vault = "https://vault.example.org/"
        let page = client.get(loginURL(vault))
        #expect(page.status == 403 && page.header("Location") == nil)
        #expect(client.text(page).contains("stronger sign-in"))
        let gateway = client.get(loginURL(vault, "&gateway=true"))
        #expect(gateway.header("Location") == vault)
        let again = signIn(client, service: vault)
        #expect(again.status == 403 && again.header("Location") == nil)
    }

    @Test func methodPostAnswersWithAnAutoSubmittingFormAndWidensFormActionOnly() async throws {
        let h = try await harness()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        #expect(signIn(client, service: Self.app).status == 303)
        let response = client.get(loginURL(Self.app, "&method=POST"))
        #expect(response.status == 200)
        let html = client.text(response)
        #expect(html.contains(#"action="https://app.example.org/cas?lang=en""#) && html.contains(#"name="ticket" value="ST-"#))
        #expect(html.contains("data-auto-submit") && html.contains(#"<button type="submit""#) && !html.contains("<script>"))
        let policies = response.headers.filter { $0.name == "Content-Security-Policy" }
        #expect(policies.count == 1 && policies[0].value.contains("form-action 'self' https://app.example.org:443;"))
        #expect(client.get("/login").header("Content-Security-Policy")?.contains("form-action 'self';") == true)
    }

    @Test func validationEndpointsSpeakEachProtocolVersion() async throws {
        let h = try await harness()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        let first = try #require(ticket(in: signIn(client, service: Self.app).header("Location")))
        let validator = TestClient(app: h.app)
        let service = FormData.encode(Self.app)
        let v1 = validator.get("/validate?service=\(service)&ticket=\(first)")
        #expect(validator.text(v1).hasPrefix("yes\n") && v1.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(validator.text(validator.get("/validate?service=\(service)&ticket=\(first)")) == "no\n\n")
        let second = try #require(ticket(in: client.get(loginURL(Self.app)).header("Location")))
        let json = validator.get("/p3/serviceValidate?service=\(service)&ticket=\(second)&format=JSON")
        #expect(json.header("Content-Type")?.hasPrefix("application/json") == true)
        let object = try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: [String: [String: Any]]]
        #expect((object?["serviceResponse"]?["authenticationSuccess"]?["attributes"] as? [String: String])?["email"] == "ada@example.org")
        let replay = validator.text(validator.get("/p3/serviceValidate?service=\(service)&ticket=\(second)&format=JSON"))
        #expect(replay.contains(#""code":"INVALID_TICKET""#))
        #expect(validator.text(validator.get("/serviceValidate?ticket=ST-x")).contains(#"code="INVALID_REQUEST""#))
    }

    @Test func logoutLinksBackOnlyToARegisteredService() async throws {
        let h = try await harness()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        #expect(signIn(client, service: Self.app).status == 303)
        let page = client.text(client.get("/logout?service=\(FormData.encode(Self.app))"))
        #expect(
            page.contains(#"href="https://app.example.org/cas?lang&#61;en""#)
                || page.contains(#"href="https://app.example.org/cas?lang=en""#))
        #expect(client.cookies["la_sso"] == nil)
        #expect(page.contains("Return to the application"))
        let evil = client.text(client.get("/logout?service=\(FormData.encode("https://evil.test/"))"))
        #expect(!evil.contains("Return to the application") && !evil.contains(#"href="""#))
        let plain = client.text(client.get("/logout"))
        #expect(!plain.contains("Return to the application"))
    }
}

@Suite struct SessionPagesTests {
    let strong = "Correct-Horse-42-battery"

    func signedIn(_ h: TestHarness, ip: String) -> TestClient {
        let client = TestClient(app: h.app)
        client.ip = ip
        client.post("/login", form: ["email": "ada@example.org"])
        client.post("/login", form: ["email": "ada@example.org", "password": strong, "method": "password"])
        return client
    }

    @Test func sessionsPageListsSessionsWithTheirServicesAndEndsThem() async throws {
        let h = try await TestHarness.make { settings in
            settings.services = ServiceRegistry([RegisteredService(name: "app", patterns: [servicePattern("https://app.example.org/")])])
        }
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let laptop = signedIn(h, ip: "192.0.2.21")
        let phone = signedIn(h, ip: "192.0.2.22")
        let tablet = signedIn(h, ip: "192.0.2.23")
        #expect(phone.get("/login?service=\(FormData.encode("https://app.example.org/"))").status == 303)
        let page = laptop.text(laptop.get("/account/sessions"))
        #expect(page.contains("192.0.2.21") && page.contains("192.0.2.22") && page.contains("192.0.2.23"))
        #expect(page.contains("app: first") && page.contains("this browser"))
        // Only the laptop's own form token works, and only for the account's own sessions.
        #expect(laptop.post("/account/sessions/end-others", form: [:], withCSRF: false).status == 403)
        let phoneID = try #require(h.database.read { try $0.sessions(accountID: 1) }.first { $0.ip == "192.0.2.22" }?.id)
        #expect(laptop.post("/account/sessions/end", form: ["session": "\(phoneID)"]).header("Location") == "/account/sessions?done=one")
        #expect(phone.get("/account").status == 303)
        #expect(tablet.get("/account").status == 200)
        #expect(laptop.post("/account/sessions/end-others", form: [:]).header("Location") == "/account/sessions?done=others")
        #expect(tablet.get("/account").status == 303)
        #expect(laptop.get("/account").status == 200)
        #expect(try h.database.read { try $0.sessions(accountID: 1) }.count == 1)
    }
}
