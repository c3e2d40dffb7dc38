import Foundation
import Identity
import Storage
import TestSupport
import Testing

/// The newest SMS to `number` and the code in it (the blocks joined).
private func lastCode(_ h: TestHarness, to number: String) throws -> (text: String, code: String) {
    guard let sms = try h.database.read({ try $0.allOutboxSMS() }).last(where: { $0.recipient == number }),
        let range = sms.text.range(of: #"[A-Z0-9]{3,4}(-[A-Z0-9]{3,4})+"#, options: .regularExpression)
    else {
        Issue.record("no SMS with a code to \(number)")
        return ("", "")
    }
    return (sms.text, String(sms.text[range]))
}

@Suite struct PhoneNumbersTests {
    let number = "+32470123456"

    @Test func addingANumberNeedsTheCodeSentToItOnce() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        let phones = PhoneNumbers(h.dependencies)
        #expect(try phones.startAdding(account: account, phone: "+32 470 12 34 56", client: h.client) == .sent)
        #expect(try phones.pending(of: account)?.number == number)
        let (text, code) = try lastCode(h, to: number)
        #expect(text == "Login Appliance: code to add this phone to your account: \(code). Valid 10 minutes.")
        #expect(code.count == 9 && code.split(separator: "-").map(\.count) == [4, 4])
        #expect(try phones.numbers(of: account).isEmpty)

        let typed = code.lowercased().replacingOccurrences(of: "-", with: "")
        #expect(try phones.finishAdding(account: account, code: typed, client: h.client) == .added(number))
        #expect(try phones.numbers(of: account).map(\.number) == [number])
        #expect(try SMSSignIn(h.dependencies).numbers(of: account) == [number])
        #expect(try phones.finishAdding(account: account, code: code, client: h.client) == .expired, "single use")
        #expect(try h.mails().contains { $0.contains("A mobile phone number was added to your account") })
        let audit = try h.database.read { try $0.auditEntries(accountID: account.id) }
        #expect(audit.contains { $0.event == "factor_added" && $0.detail == "method=sms" })
        #expect(
            try phones.startAdding(account: account, phone: number, client: h.client)
                == .invalid([
                    FieldError(field: "phone", messageKey: "error_phone_already_added")
                ]))
    }

    @Test func aBadNumberIsRefusedWithoutSendingAnything() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        #expect(
            try PhoneNumbers(h.dependencies).startAdding(account: account, phone: "+32.470.12.34.56", client: h.client)
                == .invalid([FieldError(field: "phone", messageKey: "error_phone_characters")]))
        #expect(try h.database.read { try $0.allOutboxSMS() }.isEmpty)
    }

    @Test func theFifthWrongCodeKillsIt() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        let phones = PhoneNumbers(h.dependencies)
        _ = try phones.startAdding(account: account, phone: number, client: h.client)
        let (_, code) = try lastCode(h, to: number)
        for _ in 1...4 { #expect(try phones.finishAdding(account: account, code: "AAAA-AAAA", client: h.client) == .wrong) }
        #expect(try phones.finishAdding(account: account, code: "AAAA-AAAA", client: h.client) == .exhausted)
        #expect(try phones.finishAdding(account: account, code: code, client: h.client) == .exhausted)
        #expect(try phones.pending(of: account) == nil)
        #expect(try phones.resend(account: account, client: h.client) == .finished)
        #expect(try phones.numbers(of: account).isEmpty)
    }

    @Test func theCodeExpiresAfterTenMinutes() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        let phones = PhoneNumbers(h.dependencies)
        _ = try phones.startAdding(account: account, phone: number, client: h.client)
        let (_, code) = try lastCode(h, to: number)
        h.clock.advance(by: 600)
        #expect(try phones.finishAdding(account: account, code: code, client: h.client) == .expired)
    }

    @Test func removingANumberIsAuditedAndMailed() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        let phones = PhoneNumbers(h.dependencies)
        _ = try phones.startAdding(account: account, phone: number, client: h.client)
        _ = try phones.finishAdding(account: account, code: try lastCode(h, to: number).code, client: h.client)
        #expect(try !phones.remove(account: account, number: "+32470999999", client: h.client))
        #expect(try phones.remove(account: account, number: number, client: h.client))
        #expect(try phones.numbers(of: account).isEmpty)
        #expect(try h.mails().contains { $0.contains("A mobile phone number was removed from your account") })
        let audit = try h.database.read { try $0.auditEntries(accountID: account.id) }
        #expect(audit.contains { $0.event == "factor_removed" && $0.detail == "method=sms" })
    }
}

@Suite struct SMSSignInTests {
    let number = "+32470123456"

    /// An account with `number` verified, added from another client address so that its SMS does not count here.
    func accountWithPhone(_ h: TestHarness, email: String = "ada@example.org") throws -> Account {
        let account = try h.makeAccount(email: email, password: "Correct-Horse-42-battery")
        let phones = PhoneNumbers(h.dependencies)
        let setup = ClientInfo(ip: "198.51.100.\(email.count)", userAgent: "setup")
        _ = try phones.startAdding(account: account, phone: number, client: setup)
        _ = try phones.finishAdding(account: account, code: try lastCode(h, to: number).code, client: setup)
        return account
    }

    func challenge(_ start: SMSSignIn.Start) -> String {
        guard case .sent(let challenge) = start else {
            Issue.record("no SMS sent: \(start)")
            return ""
        }
        return challenge
    }

    @Test func aCodeSentToARegisteredNumberSignsInOnce() async throws {
        let h = try await TestHarness.make()
        let account = try accountWithPhone(h)
        let sms = SMSSignIn(h.dependencies)
        #expect(try sms.start(account: account, phone: "+32 470 999 999", client: h.client) == .unknownNumber)
        #expect(try sms.start(account: account, phone: "+32.470", client: h.client) == .unknownNumber)
        let reference = challenge(try sms.start(account: account, phone: "+32 470 12 34 56", client: h.client))
        #expect(reference.count >= 22, "at least 128 bits")
        let (text, code) = try lastCode(h, to: number)
        #expect(text == "Login Appliance sign-in code: \(code). Valid 10 minutes.")
        #expect(code.split(separator: "-").map(\.count) == [3, 3, 3])
        let stored = try h.database.read { try $0.smsChallenge(referenceHash: tokenHash(reference)) }
        #expect(stored?.codeHash == tokenHash(code.replacingOccurrences(of: "-", with: "")), "only the hash is kept")

        let other = try h.makeAccount(email: "eve@example.org", password: "Correct-Horse-42-battery")
        #expect(try sms.verify(account: other, challenge: reference, code: code) == .expired, "another account's challenge")
        #expect(try sms.verify(account: account, challenge: reference, code: code.lowercased()) == .accepted)
        #expect(try sms.verify(account: account, challenge: reference, code: code) == .expired, "single use")
        #expect(try !sms.resend(account: account, challenge: reference, client: h.client))
    }

    @Test func resendingIsThrottledAndKeepsTheFailureCount() async throws {
        let h = try await TestHarness.make()
        let account = try accountWithPhone(h)
        let sms = SMSSignIn(h.dependencies)
        let reference = challenge(try sms.start(account: account, phone: number, client: h.client))
        let first = try lastCode(h, to: number).code
        for _ in 1...3 { #expect(try sms.verify(account: account, challenge: reference, code: "AAA-AAA-AAA") == .wrong) }
        #expect(try !sms.resend(account: account, challenge: reference, client: h.client), "too early")
        h.clock.advance(by: 60)
        #expect(try sms.resend(account: account, challenge: reference, client: h.client))
        let second = try lastCode(h, to: number).code
        #expect(second != first)
        #expect(try sms.verify(account: account, challenge: reference, code: first) == .wrong, "only the newest code works")
        #expect(try sms.verify(account: account, challenge: reference, code: "AAA-AAA-AAA") == .exhausted, "failures carried over")
        #expect(try sms.verify(account: account, challenge: reference, code: second) == .exhausted)
    }

    @Test func aChallengeIsSentAtMostFiveTimes() async throws {
        let h = try await TestHarness.make()
        let account = try accountWithPhone(h)
        let sms = SMSSignIn(h.dependencies)
        let reference = challenge(try sms.start(account: account, phone: number, client: h.client))
        for _ in 1...4 {
            h.clock.advance(by: 61)
            #expect(try sms.resend(account: account, challenge: reference, client: h.client))
        }
        h.clock.advance(by: 61)
        #expect(try !sms.resend(account: account, challenge: reference, client: h.client))
        #expect(try sms.verify(account: account, challenge: reference, code: try lastCode(h, to: number).code) == .accepted)
    }

    @Test func aSignInCodeExpiresAfterTenMinutes() async throws {
        let h = try await TestHarness.make()
        let account = try accountWithPhone(h)
        let sms = SMSSignIn(h.dependencies)
        let reference = challenge(try sms.start(account: account, phone: number, client: h.client))
        h.clock.advance(by: 600)
        #expect(try sms.verify(account: account, challenge: reference, code: try lastCode(h, to: number).code) == .expired)
        #expect(try !sms.resend(account: account, challenge: reference, client: h.client))
    }

    @Test func textMessagesAreLimitedPerAccountAndPerClientAddress() async throws {
        let h = try await TestHarness.make()
        let ada = try accountWithPhone(h)
        let sms = SMSSignIn(h.dependencies)
        // Adding the number sent the account's first message of the hour.
        for _ in 1...9 { _ = challenge(try sms.start(account: ada, phone: number, client: h.client)) }
        #expect(try sms.start(account: ada, phone: number, client: h.client) == .throttled, "10 per account and hour")
        let audit = try h.database.read { try $0.auditEntries(accountID: ada.id) }
        #expect(audit.contains { $0.event == "sms_throttled" && $0.detail == "limit=sms-account" })

        let bob = try accountWithPhone(h, email: "bob@example.org")
        for _ in 1...9 { _ = challenge(try sms.start(account: bob, phone: number, client: h.client)) }
        let eve = try accountWithPhone(h, email: "eve@example.org")
        for _ in 1...2 { _ = challenge(try sms.start(account: eve, phone: number, client: h.client)) }
        #expect(try sms.start(account: eve, phone: number, client: h.client) == .throttled, "20 per address and hour")
        #expect(try sms.start(account: eve, phone: number, client: ClientInfo(ip: "192.0.2.77", userAgent: "t")) != .throttled)
        h.clock.advance(by: 3600)
        _ = challenge(try sms.start(account: ada, phone: number, client: h.client))
    }

    @Test func theEmergencyRemovalForgetsNumbersAndCodesInFlight() async throws {
        let h = try await TestHarness.make()
        let account = try accountWithPhone(h)
        let sms = SMSSignIn(h.dependencies)
        let reference = challenge(try sms.start(account: account, phone: number, client: h.client))
        try h.database.write { try $0.deletePhoneNumbers(accountID: account.id) }
        #expect(try sms.numbers(of: account).isEmpty)
        #expect(try sms.verify(account: account, challenge: reference, code: try lastCode(h, to: number).code) == .expired)
    }
}
