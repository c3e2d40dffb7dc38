import Foundation
import Identity
import Storage
import TestSupport
import Testing

@Suite struct AccountFlowTests {
    let strong = "Correct-Horse-42-battery"

    func form(_ email: String) -> Registration.Form {
        Registration.Form(
            firstName: "Ada", lastName: "Lovelace", email: email, emailConfirm: email, emailLanguage: "en", privacyAccepted: true)
    }

    @Test func registrationCreatesAPendingAccountAndMailsALink() async throws {
        let h = try await TestHarness.make()
        #expect(try Registration(h.dependencies).register(form("ada@example.org"), client: h.client) == .mailSent)
        let account = try #require(try h.database.read { try $0.account(email: "ada@example.org") })
        #expect(account.status == .pending && account.passwordHash == nil)
        let link = try #require(try h.link(inMailTo: "ada@example.org"))
        #expect(link.hasPrefix("https://login.example.org/password/set?token="))
    }

    @Test func registrationValidatesEveryField() async throws {
        let h = try await TestHarness.make()
        let bad = Registration.Form(
            firstName: " ", lastName: "L0velace", email: "ada@", emailConfirm: "x", emailLanguage: "xx", privacyAccepted: false)
        guard case .invalid(let errors) = try Registration(h.dependencies).register(bad, client: h.client) else {
            Issue.record("accepted an invalid form")
            return
        }
        #expect(errors.map(\.field) == ["first_name", "last_name", "email", "email_lang", "privacy"])
        let mismatch = Registration.Form(
            firstName: "Ada", lastName: "Lovelace", email: "a@example.org", emailConfirm: "b@example.org", emailLanguage: "en",
            privacyAccepted: true)
        #expect(Registration(h.dependencies).validate(mismatch).map(\.messageKey) == ["error_email_mismatch"])
        #expect(try h.database.read { try $0.allAccounts() }.isEmpty)
    }

    @Test func namesInAnyAlphabetAreAccepted() {
        for name in ["Zoë", "Ōta", "Иванов", "李", "O'Brien", "Jean-Luc", "محمد"] {
            #expect(PersonName.isValid(PersonName.normalize(name)), "\(name)")
        }
        for name in ["", "123", "<script>", "A\u{0}B"] {
            #expect(!PersonName.isValid(name), "\(name)")
        }
    }

    @Test func registeringAnExistingAddressMailsTheOwnerAndRevealsNothing() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        #expect(try Registration(h.dependencies).register(form("ADA@example.org"), client: h.client) == .mailSent)
        #expect(try h.database.read { try $0.allAccounts() }.count == 1)
        #expect(try h.mails().last?.contains("already") == true)
    }

    @Test func aLinkSetsThePasswordOnceAndExpiresAfter24Hours() async throws {
        let h = try await TestHarness.make()
        _ = try Registration(h.dependencies).register(form("ada@example.org"), client: h.client)
        let token = try #require(try h.link(inMailTo: "ada@example.org")?.components(separatedBy: "token=").last)
        let change = PasswordChange(h.dependencies)
        guard
            case .changed(let account, let session) = try change.setFromLink(
                token: token, password: strong, confirmation: strong, client: h.client)
        else {
            Issue.record("password not set")
            return
        }
        #expect(account.status == .active && session != nil)
        guard case .linkProblem(.used) = try change.setFromLink(token: token, password: strong, confirmation: strong, client: h.client)
        else {
            Issue.record("link worked twice")
            return
        }

        _ = try Registration(h.dependencies).register(form("bob@example.org"), client: h.client)
        let late = try #require(try h.link(inMailTo: "bob@example.org")?.components(separatedBy: "token=").last)
        h.clock.advance(by: 24 * 3600 + 1)
        guard case .linkProblem(.expired) = try change.setFromLink(token: late, password: strong, confirmation: strong, client: h.client)
        else {
            Issue.record("expired link accepted")
            return
        }
        guard
            case .linkProblem(.unknown) = try change.setFromLink(token: "forged", password: strong, confirmation: strong, client: h.client)
        else {
            Issue.record("forged link accepted")
            return
        }
    }

    @Test func aNewLinkRetiresTheOldOne() async throws {
        let h = try await TestHarness.make()
        _ = try Registration(h.dependencies).register(form("ada@example.org"), client: h.client)
        let first = try #require(try h.link(inMailTo: "ada@example.org")?.components(separatedBy: "token=").last)
        _ = try Registration(h.dependencies).sendNewLink(email: "ada@example.org", client: h.client)
        let second = try #require(try h.link(inMailTo: "ada@example.org")?.components(separatedBy: "token=").last)
        #expect(first != second)
        guard
            case .linkProblem(.used) = try PasswordChange(h.dependencies).setFromLink(
                token: first, password: strong, confirmation: strong, client: h.client)
        else {
            Issue.record("old link still works")
            return
        }
    }

    @Test func passwordRulesAreReportedAsFieldErrors() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "grace@example.org", password: strong, firstName: "Grace", lastName: "Hopper")
        let change = PasswordChange(h.dependencies)
        #expect(
            change.problems(password: "short", confirmation: "short", for: account).map(\.messageKey).contains("password_rule_too_short"))
        #expect(
            change.problems(password: "Password123!", confirmation: "Password123!", for: account).map(\.messageKey) == [
                "password_rule_leaked"
            ])
        #expect(
            change.problems(password: "Hopper-was-1906!", confirmation: "Hopper-was-1906!", for: account).map(\.messageKey) == [
                "password_rule_contains_name"
            ])
        #expect(
            change.problems(password: strong, confirmation: strong + "x", for: account).map(\.messageKey) == ["error_password_mismatch"])
        #expect(change.problems(password: strong, confirmation: strong, for: account).isEmpty)
    }

    @Test func deletingTheAccountNeedsThePasswordAndEndsSessions() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: strong)
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: "ada@example.org", password: strong, client: h.client)
        else {
            Issue.record("sign-in failed")
            return
        }
        #expect(try AccountService(h.dependencies).delete(account: account, password: "wrong", client: h.client) != .done)
        #expect(try AccountService(h.dependencies).delete(account: account, password: strong, client: h.client) == .done)
        #expect(try SessionService(h.dependencies).current(token: token) == nil)
        #expect(try h.database.read { try $0.account(email: "ada@example.org") } == nil)
        #expect(try h.mails().last?.contains("deleted") == true)
    }
}
