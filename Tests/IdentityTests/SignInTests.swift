import Foundation
import Identity
import Storage
import TestSupport
import Testing

@Suite struct SignInTests {
    let strong = "Correct-Horse-42-battery"

    @Test func aClientsUserAgentKeepsAtMost512Characters() {
        #expect(ClientInfo(ip: "192.0.2.1", userAgent: String(repeating: "a", count: 512)).userAgent.count == 512)
        #expect(ClientInfo(ip: "192.0.2.1", userAgent: String(repeating: "a", count: 600)).userAgent == String(repeating: "a", count: 512))
        // Counted in characters, not bytes: 300 two-byte letters stay whole, 600 lose their last 88.
        #expect(ClientInfo(ip: "192.0.2.1", userAgent: String(repeating: "é", count: 300)).userAgent == String(repeating: "é", count: 300))
        #expect(ClientInfo(ip: "192.0.2.1", userAgent: String(repeating: "é", count: 600)).userAgent == String(repeating: "é", count: 512))
    }

    @Test func throttleGrowsThenLocksBefore100Failures() {
        let throttle = SignInThrottle()
        let now = Date(timeIntervalSince1970: 0)
        #expect(throttle.verdict(afterFailures: 4, at: now).throttledUntil == nil)
        let delays = (5...14).map { throttle.verdict(afterFailures: $0, at: now).throttledUntil!.timeIntervalSince(now) }
        #expect(delays == delays.sorted() && Set(delays).count == delays.count)
        #expect(throttle.verdict(afterFailures: 29, at: now).throttledUntil!.timeIntervalSince(now) <= throttle.maximumDelay)
        #expect(throttle.verdict(afterFailures: throttle.lockAfter, at: now).locked)
        #expect(throttle.lockAfter < 100)
    }

    @Test func rightPasswordSignsInAndStartsASession() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        guard
            case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: " Ada@Example.org ", password: strong, client: h.client)
        else {
            Issue.record("not signed in")
            return
        }
        let (session, account) = try #require(try SessionService(h.dependencies).current(token: token))
        #expect(account.email == "ada@example.org" && session.level == "password")
        #expect(try SessionService(h.dependencies).current(token: token + "x") == nil)
    }

    @Test func sessionsEndWhenIdleOrTooOld() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        guard case .signedIn(let token, _) = try SignIn(h.dependencies).signIn(email: "ada@example.org", password: strong, client: h.client)
        else { return }
        h.clock.advance(by: 119 * 60)
        #expect(try SessionService(h.dependencies).current(token: token) != nil)
        h.clock.advance(by: 121 * 60)
        #expect(try SessionService(h.dependencies).current(token: token) == nil)
    }

    @Test func repeatedFailuresThrottleEvenTheRightPasswordThenLockAndMail() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        let signIn = SignIn(h.dependencies)
        for _ in 0..<4 {
            guard
                case .rejected = try signIn.signIn(
                    email: "ada@example.org", password: "wrong",
                    client: ClientInfo(ip: "198.51.100.\(Int.random(in: 1...200))", userAgent: "t"))
            else {
                Issue.record("expected rejection")
                return
            }
        }
        _ = try signIn.signIn(email: "ada@example.org", password: "wrong", client: ClientInfo(ip: "198.51.100.7", userAgent: "t"))
        guard case .throttled(let until) = try signIn.signIn(email: "ada@example.org", password: strong, client: h.client) else {
            Issue.record("not throttled")
            return
        }
        #expect(until > h.clock.now())
        #expect(try h.mails().last?.contains("failed") == true)
        h.clock.advance(by: until.timeIntervalSince(h.clock.now()) + 1)
        guard case .signedIn = try signIn.signIn(email: "ada@example.org", password: strong, client: h.client) else {
            Issue.record("throttle did not lift")
            return
        }
        #expect(try h.database.read { try $0.account(email: "ada@example.org") }?.failedSignIns == 0)

        try h.database.write { try $0.recordFailedSignIn(accountID: 1, failures: 29, throttledUntil: nil, locked: false) }
        guard
            case .locked = try signIn.signIn(
                email: "ada@example.org", password: "wrong", client: ClientInfo(ip: "203.0.113.5", userAgent: "t"))
        else {
            Issue.record("not locked")
            return
        }
        guard case .locked = try signIn.signIn(email: "ada@example.org", password: strong, client: h.client) else {
            Issue.record("locked account let the right password in")
            return
        }
        let token = try #require(try h.link(inMailTo: "ada@example.org")?.components(separatedBy: "token=").last)
        #expect(try AccountService(h.dependencies).unlock(token: token, client: h.client) == nil)
        #expect(try AccountService(h.dependencies).unlock(token: token, client: h.client) == .used)
        guard case .signedIn = try signIn.signIn(email: "ada@example.org", password: strong, client: h.client) else {
            Issue.record("unlock did not work")
            return
        }
    }

    @Test func oneClientIsThrottledAcrossAccounts() async throws {
        let h = try await TestHarness.make()
        let attacker = ClientInfo(ip: "203.0.113.66", userAgent: "t")
        var outcomes: [String] = []
        for i in 0..<(RateLimit.failedSignInPerIP.limit + 2) {
            switch try SignIn(h.dependencies).signIn(email: "user\(i)@example.org", password: "guess", client: attacker) {
            case .clientThrottled: outcomes.append("throttled")
            default: outcomes.append("other")
            }
        }
        #expect(outcomes.prefix(RateLimit.failedSignInPerIP.limit).allSatisfy { $0 == "other" })
        #expect(outcomes.last == "throttled")
        _ = try h.makeAccount(email: "ok@example.org", password: strong)
        guard case .signedIn = try SignIn(h.dependencies).signIn(email: "ok@example.org", password: strong, client: h.client) else {
            Issue.record("another client was blocked too")
            return
        }
    }

    @Test func unknownAccountsAndWrongPasswordsGetTheSameAnswer() async throws {
        let h = try await TestHarness.make()
        _ = try h.makeAccount(email: "ada@example.org", password: strong)
        guard case .rejected = try SignIn(h.dependencies).signIn(email: "nobody@example.org", password: strong, client: h.client),
            case .rejected = try SignIn(h.dependencies).signIn(email: "ada@example.org", password: "nope", client: h.client)
        else {
            Issue.record("answers differ")
            return
        }
        let events = try h.database.read { try $0.auditEntries() }.map(\.event)
        #expect(events.filter { $0 == "sign_in_failed" }.count == 2)
    }
}
