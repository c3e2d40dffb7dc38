import Basics
import Cryptography
import Foundation
import Identity
import Storage
import TestSupport
import Testing

/// Step-up, re-verification and the freshness factor changes need: the rules that keep a second factor worth having.
@Suite struct StepUpTests {
    let strong = "Correct-Horse-42-battery"

    /// An account with an authenticator app, signed in with the password only; returns what the tests need.
    func passwordSession(_ h: TestHarness) throws -> (Account, [UInt8], SSOSession) {
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        let apps = AuthenticatorApps(h.dependencies)
        let secret = try apps.pendingSecret(for: account)
        _ = try apps.confirm(account: account, newCode: OneTimePassword.totp(secret: secret, at: h.clock.now()), client: h.client)
        h.clock.advance(by: 30)
        guard
            case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: "ada@example.org", password: strong, client: h.client),
            let (session, _) = try SessionService(h.dependencies).current(token: token)
        else { throw Failure("password sign-in failed") }
        return (account, secret, session)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func aRecentSessionStepsUpWithTheCodeAloneAndKeepsItsIdentity() async throws {
        let h = try await TestHarness.make()
        let (_, secret, session) = try passwordSession(h)
        h.clock.advance(by: 60)
        var attempt = SignIn.Attempt(email: "ada@example.org", password: "", method: .totp)
        attempt.code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        attempt.session = session
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(attempt, client: h.client),
            let (upgraded, _) = try SessionService(h.dependencies).current(token: token)
        else {
            Issue.record("step-up refused"); return
        }
        #expect(upgraded.id == session.id)
        #expect(upgraded.level == "two-factor")
        #expect(upgraded.methods == "password,totp")
        #expect(upgraded.createdAt == session.createdAt)
        #expect(upgraded.verifiedAt == h.clock.now())
        #expect(try h.database.read { try $0.sessions(accountID: session.accountID) }.count == 1)
    }

    @Test func theOldTokenIsWorthNothingAfterAStepUp() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        guard case .signedIn(let oldToken, _) = try SignIn(h.dependencies).signIn(email: account.email, password: strong, client: h.client),
            let (session, _) = try SessionService(h.dependencies).current(token: oldToken)
        else { throw Failure("sign-in failed") }
        var attempt = SignIn.Attempt(email: account.email, password: strong)
        attempt.session = session
        attempt.passwordRequired = true
        guard case .signedIn(let newToken, _) = try SignIn(h.dependencies).signIn(attempt, client: h.client) else {
            Issue.record("re-verification refused"); return
        }
        #expect(try SessionService(h.dependencies).current(token: oldToken) == nil)
        #expect(try SessionService(h.dependencies).current(token: newToken) != nil)
    }

    @Test func anOldSessionMustGiveThePasswordAgain() async throws {
        let h = try await TestHarness.make()
        let (_, secret, session) = try passwordSession(h)
        h.clock.advance(by: SecondFactors.stepUpWindow + 60)
        var attempt = SignIn.Attempt(email: "ada@example.org", password: "", method: .totp)
        attempt.code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        attempt.session = session
        guard case .rejected = try SignIn(h.dependencies).signIn(attempt, client: h.client) else {
            Issue.record("an old session stepped up without the password"); return
        }
    }

    @Test func thePasswordMethodItselfIsNeverWaived() async throws {
        let h = try await TestHarness.make()
        let (_, _, session) = try passwordSession(h)
        var attempt = SignIn.Attempt(email: "ada@example.org", password: "", method: .password)
        attempt.session = session
        guard case .rejected = try SignIn(h.dependencies).signIn(attempt, client: h.client) else {
            Issue.record("signed in with an empty password"); return
        }
    }

    @Test func aReverificationNeverWaivesThePassword() async throws {
        let h = try await TestHarness.make()
        let (_, secret, session) = try passwordSession(h)
        var attempt = SignIn.Attempt(email: "ada@example.org", password: "", method: .totp)
        attempt.code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        attempt.session = session
        attempt.passwordRequired = true
        guard case .rejected = try SignIn(h.dependencies).signIn(attempt, client: h.client) else {
            Issue.record("re-verification without the password"); return
        }
    }

    @Test func anotherAccountsSessionWaivesNothing() async throws {
        let h = try await TestHarness.make()
        let (_, secret, session) = try passwordSession(h)
        _ = try h.makeAccount(email: "eve@example.org", password: strong)
        guard
            case .signedIn(let eveToken, _) = try SignIn(h.dependencies).signIn(
                email: "eve@example.org", password: strong, client: h.client),
            let (eveSession, _) = try SessionService(h.dependencies).current(token: eveToken)
        else { throw Failure("sign-in failed") }
        var attempt = SignIn.Attempt(email: "ada@example.org", password: "", method: .totp)
        attempt.code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        attempt.session = eveSession
        guard case .rejected = try SignIn(h.dependencies).signIn(attempt, client: h.client) else {
            Issue.record("another account's session waived the password"); return
        }
        #expect(session.accountID != eveSession.accountID)
    }

    @Test func factorChangesNeedARecentVerificationAtTheStrongestLevel() async throws {
        let h = try await TestHarness.make()
        let (account, secret, session) = try passwordSession(h)
        let factors = SecondFactors(h.dependencies)
        #expect(try factors.strongestLevel(of: account) == .twoFactor)
        // Recent, but only the password: not enough for an account that has an app.
        #expect(try !factors.isFresh(session, of: account))
        var attempt = SignIn.Attempt(email: account.email, password: strong, method: .totp)
        attempt.code = OneTimePassword.totp(secret: secret, at: h.clock.now())
        attempt.session = session
        attempt.passwordRequired = true
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(attempt, client: h.client),
            let (verified, _) = try SessionService(h.dependencies).current(token: token)
        else {
            Issue.record("re-verification refused"); return
        }
        #expect(try factors.isFresh(verified, of: account))
        h.clock.advance(by: SecondFactors.freshWindow + 1)
        #expect(try !factors.isFresh(verified, of: account))
    }

    @Test func aPasswordOnlyAccountIsFreshAfterItsPassword() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: account.email, password: strong, client: h.client),
            let (session, _) = try SessionService(h.dependencies).current(token: token)
        else { throw Failure("sign-in failed") }
        #expect(try SecondFactors(h.dependencies).isFresh(session, of: account))
    }

    @Test func aMethodWhoseFactorWasNotCheckedNeverSignsIn() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        for method in [VerificationMethod.sms, .token, .tokenCram, .totp] {
            var attempt = SignIn.Attempt(email: account.email, password: strong, method: method)
            attempt.code = "123456"
            attempt.serial = "NOPE"
            attempt.phone = "+41791234567"
            if case .signedIn = try SignIn(h.dependencies).signIn(attempt, client: h.client) {
                Issue.record("signed in with \(method) without its factor")
            }
        }
    }
}
