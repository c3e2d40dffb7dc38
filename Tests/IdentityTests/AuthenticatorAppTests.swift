import Basics
import Cryptography
import Foundation
import Identity
import Storage
import TestSupport
import Testing

@Suite struct AuthenticatorAppTests {
    let strong = "Correct-Horse-42-battery"

    /// An account with a confirmed authenticator app; returns the account and the app's secret.
    func enrolled(_ h: TestHarness) throws -> (Account, [UInt8]) {
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        let apps = AuthenticatorApps(h.dependencies)
        let secret = try apps.pendingSecret(for: account)
        let code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        guard case .done = try apps.confirm(account: account, newCode: code, client: h.client) else {
            Issue.record("enrolment refused")
            return (account, secret)
        }
        return (account, secret)
    }

    @Test func enrolmentNeedsACodeFromTheNewApp() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        let apps = AuthenticatorApps(h.dependencies)
        let secret = try apps.pendingSecret(for: account)
        #expect(try apps.pendingSecret(for: account) == secret)
        #expect(secret.count == 20)
        guard case .invalid(let codeErrors) = try apps.confirm(account: account, newCode: "000000", client: h.client) else {
            Issue.record("enrolled with a wrong code"); return
        }
        #expect(codeErrors.map(\.field) == ["otp"])
        #expect(try !apps.hasActive(account))
        let code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        guard case .done = try apps.confirm(account: account, newCode: code, client: h.client) else {
            Issue.record("enrolment refused"); return
        }
        #expect(try apps.hasActive(account))
        #expect(try h.mails().contains { $0.contains("An authenticator app was added to your account") })
        #expect(try h.database.read { try $0.auditEntries(accountID: account.id) }.contains { $0.event == "factor_added" })
    }

    @Test func aNewAppReplacesTheOldOne() async throws {
        let h = try await TestHarness.make()
        let (account, first) = try enrolled(h)
        let apps = AuthenticatorApps(h.dependencies)
        let second = try apps.pendingSecret(for: account)
        h.clock.advance(by: 30)
        let newCode = OneTimePassword.totp(secret: second, at: h.clock.now())
        guard case .done = try apps.confirm(account: account, newCode: newCode, client: h.client) else {
            Issue.record("replacement refused"); return
        }
        h.clock.advance(by: 30)
        #expect(try apps.check(account: account, code: OneTimePassword.totp(secret: first, at: h.clock.now())) == .rejected)
        #expect(try apps.check(account: account, code: OneTimePassword.totp(secret: second, at: h.clock.now())) == .accepted)
    }

    @Test func theDatabaseHoldsOnlyTheSealedSecret() async throws {
        let h = try await TestHarness.make()
        let (_, secret) = try enrolled(h)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("totp-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try h.database.backup(to: path)
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let text = String(decoding: file, as: UTF8.self)
        #expect(!text.contains(Base32.encode(secret)))
        #expect(!text.contains(AuthenticatorApps.grouped(secret)))
        #expect(!(0...(file.count - secret.count)).contains { Array(file[$0..<$0 + secret.count]) == secret })
    }

    @Test func signInWithPasswordAndCodeReachesTwoFactor() async throws {
        let h = try await TestHarness.make()
        let (_, secret) = try enrolled(h)
        h.clock.advance(by: 30)
        let code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        guard
            case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(
                email: "ada@example.org", password: strong, method: .totp, code: code, client: h.client)
        else {
            Issue.record("not signed in"); return
        }
        let (session, _) = try #require(try SessionService(h.dependencies).current(token: token))
        #expect(session.level == "two-factor" && session.methods == "password,totp")
    }

    @Test func aReplayedCodeIsRefusedAndCountsAsAFailure() async throws {
        let h = try await TestHarness.make()
        let (account, secret) = try enrolled(h)
        h.clock.advance(by: 30)
        let code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        let signIn = SignIn(h.dependencies)
        guard case .signedIn = try signIn.signIn(email: "ada@example.org", password: strong, method: .totp, code: code, client: h.client)
        else {
            Issue.record("not signed in"); return
        }
        guard
            case .secondFactorRefused(let error) = try signIn.signIn(
                email: "ada@example.org", password: strong, method: .totp, code: code, client: h.client)
        else {
            Issue.record("replay accepted"); return
        }
        #expect(error.messageKey == "error_otp_replayed")
        #expect(try h.database.read { try $0.account(id: account.id) }?.failedSignIns == 1)
    }

    @Test func wrongCodesCountTowardsTheThrottle() async throws {
        let h = try await TestHarness.make()
        let (account, secret) = try enrolled(h)
        let signIn = SignIn(h.dependencies)
        let wrong = OneTimePassword.totp(secret: secret, at: h.clock.now().addingTimeInterval(600))
        for _ in 0..<signIn.throttle.freeFailures {
            guard
                case .secondFactorRefused = try signIn.signIn(
                    email: "ada@example.org", password: strong, method: .totp, code: wrong, client: h.client)
            else {
                Issue.record("wrong code accepted"); return
            }
        }
        _ = try signIn.signIn(email: "ada@example.org", password: strong, method: .totp, code: wrong, client: h.client)
        // Even the right password with the next step's (valid) code now waits.
        let right = OneTimePassword.totp(secret: secret, at: h.clock.now().addingTimeInterval(30))
        guard case .throttled = try signIn.signIn(email: "ada@example.org", password: strong, method: .totp, code: right, client: h.client)
        else {
            Issue.record("not throttled"); return
        }
        #expect(try h.database.read { try $0.account(id: account.id) }?.failedSignIns == signIn.throttle.freeFailures + 1)
    }

    @Test func removalIsAuditedAndSendsAMail() async throws {
        let h = try await TestHarness.make()
        let (account, _) = try enrolled(h)
        let apps = AuthenticatorApps(h.dependencies)
        try apps.remove(account: account, client: h.client)
        #expect(try !apps.hasActive(account))
        #expect(try h.mails().contains { $0.contains("An authenticator app was removed from your account") })
        #expect(try h.database.read { try $0.auditEntries(accountID: account.id) }.contains { $0.event == "factor_removed" })
    }

    @Test func methodsListedOnlyWhenEnrolledAndStrongEnough() {
        #expect(VerificationMethod.available(enrolled: [], minimumLevel: .password) == [.password])
        #expect(VerificationMethod.available(enrolled: [.totp], minimumLevel: .password) == [.password, .totp])
        #expect(VerificationMethod.available(enrolled: [.totp], minimumLevel: .twoFactor) == [.totp])
        #expect(VerificationMethod.available(enrolled: [], minimumLevel: .twoFactor).isEmpty)
    }

    @Test func keyURINamesIssuerAndAccount() async throws {
        let h = try await TestHarness.make { $0.organisation.name = "Example Org" }
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        let uri = AuthenticatorApps(h.dependencies).keyURI(secret: Array("12345678901234567890".utf8), account: account)
        #expect(
            uri == "otpauth://totp/Example%20Org:ada@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Org"
                + "&algorithm=SHA1&digits=6&period=30")
    }
}
