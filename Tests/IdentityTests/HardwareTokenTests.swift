import Basics
import Cryptography
import Foundation
import Identity
import Storage
import TestSupport
import Testing

@Suite struct HardwareTokenTests {
    let secret = Array("12345678901234567890".utf8)

    func definition(_ serial: String, _ type: String, digits: Int? = 6, counter: UInt64? = nil) throws -> TokenDefinition {
        try TokenDefinition.make(serial: serial, type: type, secret: secret, digits: digits, period: 30, counter: counter).get()
    }

    /// An account holding the imported HOTP token `HOTP-1` (counter 0), TOTP token `TOTP-1` and OCRA token `OCRA-1`, all free.
    func setUp() async throws -> (TestHarness, Account, HardwareTokens) {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        let tokens = HardwareTokens(h.dependencies)
        let report = try tokens.importTokens([
            try definition("hotp-1", "hotp"), try definition("TOTP 1", "totp", digits: 8),
            try definition("ocra-1", "OCRA-1:HOTP-SHA1-6:QN08", digits: nil),
        ])
        #expect(report.imported == [.hotp: 1, .totp: 1, .ocra: 1])
        return (h, account, tokens)
    }

    func hotp(_ counter: UInt64) -> String { OneTimePassword.hotp(secret: secret, counter: counter) }

    @Test func hotpTokenLinksWithACurrentCodeAndThenSignsInOnceOnly() async throws {
        let (h, account, tokens) = try await setUp()
        #expect(
            try tokens.link(account: account, serial: "HOTP1", code: "000000", reference: "", client: h.client)
                != .linked(.init(serial: "HOTP1", kind: .hotp)))
        #expect(
            try tokens.link(account: account, serial: "hotp-1", code: hotp(2), reference: "", client: h.client)
                == .linked(.init(serial: "HOTP1", kind: .hotp)))
        #expect(try tokens.linked(to: account) == [.init(serial: "HOTP1", kind: .hotp)])
        #expect(try tokens.verifyCode(account: account, serial: "h o t p 1", code: hotp(2)) == .replayed)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP-1", code: hotp(3)) == .accepted)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP-1", code: hotp(3)) == .replayed)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP-1", code: hotp(13)) == .accepted)
        let entries = try h.database.read { try $0.auditEntries(accountID: account.id) }
        #expect(entries.contains { $0.event == "factor_added" && $0.detail == "method=token serial=HOTP1" })
        #expect(entries.contains { $0.event == "sign_in_failed" })
        #expect(try h.mails().contains { $0.contains("A hardware token was linked to your account") })
    }

    @Test func hotpResynchronisesFromTwoConsecutiveCodesFarAhead() async throws {
        let (h, account, tokens) = try await setUp()
        _ = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(150)) == .needsNextCode)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(152)) == .needsNextCode)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(153)) == .accepted)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(153)) == .replayed)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(154)) == .accepted)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(500)) == .rejected)
    }

    @Test func totpAcceptsOneStepEitherSideAndEachStepOnce() async throws {
        let (h, account, tokens) = try await setUp()
        let now = h.clock.now()
        func code(_ offset: TimeInterval) -> String {
            OneTimePassword.totp(secret: secret, at: now.addingTimeInterval(offset), digits: 8)
        }
        #expect(
            try tokens.link(account: account, serial: "TOTP1", code: code(-30), reference: "", client: h.client)
                == .linked(.init(serial: "TOTP1", kind: .totp)))
        #expect(try tokens.verifyCode(account: account, serial: "TOTP1", code: code(-30)) == .replayed)
        #expect(try tokens.verifyCode(account: account, serial: "TOTP1", code: code(0)) == .accepted)
        #expect(try tokens.verifyCode(account: account, serial: "TOTP1", code: code(0)) == .replayed)
        #expect(try tokens.verifyCode(account: account, serial: "TOTP1", code: code(60)) == .rejected)
        h.clock.advance(by: 30)
        #expect(try tokens.verifyCode(account: account, serial: "TOTP1", code: code(60)) == .accepted)
    }

    @Test func aTokenOfAnotherAccountOrAnUnknownSerialIsRefused() async throws {
        let (h, account, tokens) = try await setUp()
        let other = try h.makeAccount(email: "bob@example.org", password: "Correct-Horse-42-battery")
        _ = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client)
        #expect(try tokens.verifyCode(account: other, serial: "HOTP1", code: hotp(1)) == .rejected)
        guard case .invalid(let errors) = try tokens.link(account: other, serial: "HOTP1", code: hotp(1), reference: "", client: h.client)
        else { Issue.record("linked someone else's token"); return }
        #expect(errors == [FieldError(field: "serial", messageKey: "error_token_unknown")])
        #expect(try tokens.verifyCode(account: account, serial: "NOPE", code: hotp(1)) == .rejected)
        #expect(try tokens.verifyCode(account: account, serial: "HOTP1", code: hotp(1)) == .accepted)
    }

    @Test func ocraTokenLinksBySerialAndTheResponseToAChallenge() async throws {
        let (h, account, tokens) = try await setUp()
        let suite = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QN08"))
        guard
            case .challenge(let serial, let reference, let question, nil) = try tokens.link(
                account: account, serial: "OCRA-1", code: "", reference: "", client: h.client)
        else { Issue.record("no challenge"); return }
        #expect(serial == "OCRA1" && question.count == 8 && question.allSatisfy(\.isNumber))
        let response = try #require(OCRA.response(suite: suite, secret: secret, question: question))
        guard
            case .challenge(_, reference, question, let error?) = try tokens.link(
                account: account, serial: "OCRA1", code: "000000", reference: reference, client: h.client)
        else { Issue.record("a wrong response did not show the challenge again"); return }
        #expect(error.messageKey == "error_token_response_wrong")
        #expect(
            try tokens.link(account: account, serial: "OCRA1", code: response, reference: reference, client: h.client)
                == .linked(.init(serial: "OCRA1", kind: .ocra)))
        #expect(try tokens.enrolledMethods(of: account) == [.tokenCram])
        #expect(
            try h.database.read { try $0.auditEntries(accountID: account.id) }.contains { $0.detail == "method=token-cram serial=OCRA1" })
    }

    @Test func ocraSignInChallengeIsSingleUseShortLivedAndAllowsFiveTries() async throws {
        let (h, account, tokens) = try await setUp()
        let suite = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QN08"))
        guard case .challenge(let linkReference, let linkQuestion)? = try challengeForLinking(h, account, tokens) else { return }
        _ = try tokens.link(
            account: account, serial: "OCRA1", code: OCRA.response(suite: suite, secret: secret, question: linkQuestion)!,
            reference: linkReference, client: h.client)
        #expect(try tokens.startChallenge(account: account, serial: "HOTP1") == .unknownToken)
        guard case .challenge(let reference, let question) = try tokens.startChallenge(account: account, serial: "ocra-1") else {
            Issue.record("no challenge"); return
        }
        let response = try #require(OCRA.response(suite: suite, secret: secret, question: question))
        #expect(try tokens.verifyResponse(account: account, reference: reference, response: "000000") == .wrong)
        #expect(try tokens.verifyResponse(account: account, reference: reference, response: response) == .accepted)
        #expect(try tokens.verifyResponse(account: account, reference: reference, response: response) == .expired)

        guard case .challenge(let late, let lateQuestion) = try tokens.startChallenge(account: account, serial: "OCRA1") else { return }
        h.clock.advance(by: 601)
        let lateResponse = try #require(OCRA.response(suite: suite, secret: secret, question: lateQuestion))
        #expect(try tokens.verifyResponse(account: account, reference: late, response: lateResponse) == .expired)

        guard case .challenge(let guessed, let guessedQuestion) = try tokens.startChallenge(account: account, serial: "OCRA1") else {
            return
        }
        for _ in 0..<4 { #expect(try tokens.verifyResponse(account: account, reference: guessed, response: "000000") == .wrong) }
        #expect(try tokens.verifyResponse(account: account, reference: guessed, response: "000000") == .exhausted)
        let right = try #require(OCRA.response(suite: suite, secret: secret, question: guessedQuestion))
        #expect(try tokens.verifyResponse(account: account, reference: guessed, response: right) == .exhausted)
    }

    func challengeForLinking(_ h: TestHarness, _ account: Account, _ tokens: HardwareTokens) throws -> HardwareTokens.ChallengeStart? {
        guard
            case .challenge(_, let reference, let question, _) = try tokens.link(
                account: account, serial: "OCRA1", code: "", reference: "", client: h.client)
        else { Issue.record("no challenge"); return nil }
        return .challenge(reference: reference, question: question)
    }

    @Test func counterAndTimeBasedOCRASuitesUseTheTokensCounterAndTheClock() async throws {
        let (h, account, tokens) = try await setUp()
        _ = try tokens.importTokens([
            try definition("C-1", "OCRA-1:HOTP-SHA1-6:C-QN08", digits: nil, counter: 5),
            try definition("T-1", "OCRA-1:HOTP-SHA1-6:QN08-T1M", digits: nil),
        ])
        let counted = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:C-QN08"))
        func respond(_ serial: String, _ suite: OCRASuite, _ inputs: (String) -> OCRA.Inputs) throws -> HardwareTokens.LinkResult {
            guard
                case .challenge(_, let reference, let question, _) = try tokens.link(
                    account: account, serial: serial, code: "", reference: "", client: h.client)
            else { return .invalid([]) }
            let response = try #require(OCRA.response(suite: suite, secret: secret, question: question, inputs: inputs(question)))
            return try tokens.link(account: account, serial: serial, code: response, reference: reference, client: h.client)
        }
        // The token counted two responses on its own: still within the window, and the counter moves past it.
        #expect(try respond("C1", counted) { _ in OCRA.Inputs(counter: 7) } == .linked(.init(serial: "C1", kind: .ocra)))
        #expect(try h.database.read { try $0.hardwareToken(serial: "C1") }?.counter == 8)
        guard case .challenge(let reference, let question) = try tokens.startChallenge(account: account, serial: "C1") else {
            Issue.record("no challenge"); return
        }
        let stale = try #require(OCRA.response(suite: counted, secret: secret, question: question, inputs: OCRA.Inputs(counter: 7)))
        #expect(try tokens.verifyResponse(account: account, reference: reference, response: stale) == .wrong)
        let fresh = try #require(OCRA.response(suite: counted, secret: secret, question: question, inputs: OCRA.Inputs(counter: 8)))
        #expect(try tokens.verifyResponse(account: account, reference: reference, response: fresh) == .accepted)

        let timed = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QN08-T1M"))
        let minute = UInt64(h.clock.now().timeIntervalSince1970 / 60)
        #expect(try respond("T1", timed) { _ in OCRA.Inputs(timeStep: minute + 2) } != .linked(.init(serial: "T1", kind: .ocra)))
        #expect(try respond("T1", timed) { _ in OCRA.Inputs(timeStep: minute - 1) } == .linked(.init(serial: "T1", kind: .ocra)))
    }

    @Test func aLockedAccountLinksNothing() async throws {
        let (h, account, tokens) = try await setUp()
        for _ in 0..<30 {
            if case .invalid(let errors) = try tokens.link(account: account, serial: "NOPE", code: "1", reference: "", client: h.client),
                errors.first?.messageKey == "error_account_locked"
            {
                break
            }
            h.clock.advance(by: 3600)
        }
        let result = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client)
        #expect(result == .invalid([FieldError(field: "otp", messageKey: "error_account_locked")]))
        #expect(try tokens.linked(to: account).isEmpty)
    }

    @Test func unlinkingAndDeletingTheAccountFreeTheTokenWithItsCounter() async throws {
        let (h, account, tokens) = try await setUp()
        _ = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client)
        #expect(try tokens.unlink(account: account, serial: "hotp-1", client: h.client))
        #expect(try !tokens.unlink(account: account, serial: "hotp-1", client: h.client))
        #expect(try tokens.linked(to: account).isEmpty)
        #expect(try h.mails().contains { $0.contains("A hardware token was unlinked from your account") })
        // The counter stays: a code used before cannot link the token again.
        guard case .invalid = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client) else {
            Issue.record("relinked with a used code"); return
        }
        #expect(
            try tokens.link(account: account, serial: "HOTP1", code: hotp(1), reference: "", client: h.client)
                == .linked(.init(serial: "HOTP1", kind: .hotp)))
        try h.database.write { try $0.deleteAccount(accountID: account.id) }
        let token = try #require(try h.database.read { try $0.hardwareToken(serial: "HOTP1") })
        #expect(token.accountID == nil && token.linkedAt == nil && token.counter == 2)
    }

    @Test func emergencyRemovalFreesEveryToken() async throws {
        let (h, account, tokens) = try await setUp()
        _ = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client)
        try h.database.write { try $0.unlinkHardwareTokens(accountID: account.id) }
        #expect(try tokens.linked(to: account).isEmpty)
    }

    @Test func reimportingAKnownSerialSkipsItAndKeepsItsState() async throws {
        let (h, account, tokens) = try await setUp()
        _ = try tokens.link(account: account, serial: "HOTP1", code: hotp(0), reference: "", client: h.client)
        let report = try tokens.importTokens([try definition("HOTP-1", "hotp", counter: 0), try definition("HOTP-2", "hotp")])
        #expect(report.imported == [.hotp: 1] && report.skipped == ["HOTP1"])
        let token = try #require(try h.database.read { try $0.hardwareToken(serial: "HOTP1") })
        #expect(token.accountID == account.id && token.counter == 1)
    }

    @Test func secretsAreSealedAndBoundToTheirSerial() async throws {
        let (h, account, tokens) = try await setUp()
        let sealed = try #require(try h.database.read { try $0.hardwareToken(serial: "HOTP1") }).sealedSecret
        #expect(!sealed.containsSubsequence(secret))
        _ = (account, tokens)
    }

    @Test func tokenDefinitionsReportEveryProblem() {
        let result = TokenDefinition.make(serial: "", type: "otp", secret: [1, 2], digits: 9, period: 30, counter: nil)
        guard case .failure(let problems) = result else { Issue.record("accepted"); return }
        #expect(problems.messages.count == 4)
        guard
            case .failure = TokenDefinition.make(
                serial: "A1", type: "OCRA-1:HOTP-SHA1-6:QN08-PSHA1", secret: secret, digits: nil, period: nil, counter: nil)
        else { Issue.record("accepted a PIN suite"); return }
    }
}

extension Array where Element == UInt8 {
    fileprivate func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<$0 + needle.count]) == needle }
    }
}
