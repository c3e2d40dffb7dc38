import Cryptography
import FastCGI
import Foundation
import Identity
import TestSupport
import Testing

@Suite struct TokenPageTests {
    let strong = "Correct-Horse-42-battery"
    let secret = Array("12345678901234567890".utf8)

    func signedIn(_ h: TestHarness) throws -> TestClient {
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let client = TestClient(app: h.app)
        _ = client.post("/login", form: ["email": "ada@example.org"])
        _ = client.post("/login", form: ["email": "ada@example.org", "password": strong, "method": "password", "next": "/account"])
        let token = try TokenDefinition.make(serial: "HW-1", type: "hotp", secret: secret, digits: 6, period: nil, counter: nil).get()
        _ = try HardwareTokens(h.dependencies).importTokens([token])
        return client
    }

    @Test func aTokenIsLinkedListedAndUnlinkedFromMyAccount() async throws {
        let h = try await TestHarness.make()
        let client = try signedIn(h)
        #expect(client.text(client.get("/account")).contains(#"href="/account/tokens""#))
        let wrong = client.post("/account/tokens", form: ["serial": "hw-9", "otp": "123456"])
        #expect(wrong.status == 400 && client.text(wrong).contains("There is no free token with this serial number"))
        let linked = client.post("/account/tokens", form: ["serial": "hw 1", "otp": OneTimePassword.hotp(secret: secret, counter: 0)])
        #expect(linked.status == 303 && linked.header("Location") == "/account?done=token_added")
        let page = client.text(client.get("/account/tokens"))
        #expect(page.contains("Token HW1") && page.contains(#"action="/account/tokens/unlink""#))
        // The account now has a token: unlinking it needs a verification with the token, not the password session.
        let stale = client.post("/account/tokens/unlink", form: ["serial": "HW1"])
        #expect(stale.status == 303 && stale.header("Location") == "/login?reauth=1&next=%2Faccount%2Ftokens")
        let reverified = client.post(
            "/login",
            form: [
                "email": "ada@example.org", "password": strong, "method": "token", "serial": "HW1", "reauth": "1",
                "next": "/account/tokens",
                "otp": OneTimePassword.hotp(secret: secret, counter: 1),
            ])
        #expect(reverified.status == 303 && reverified.header("Location") == "/account/tokens")
        let unlinked = client.post("/account/tokens/unlink", form: ["serial": "HW1"])
        #expect(unlinked.status == 303 && unlinked.header("Location") == "/account?done=token_removed")
        #expect(client.post("/account/tokens/unlink", form: ["serial": "HW1"]).header("Location") == "/account/tokens")
    }

    @Test func changesNeedARecentVerification() async throws {
        let h = try await TestHarness.make()
        let client = try signedIn(h)
        h.clock.advance(by: 11 * 60)
        let stale = client.post("/account/tokens", form: ["serial": "HW1", "otp": OneTimePassword.hotp(secret: secret, counter: 0)])
        #expect(stale.status == 303 && stale.header("Location")?.hasPrefix("/login?reauth=1") == true)
        #expect(try HardwareTokens(h.dependencies).all().first?.holder == nil)
    }
}
