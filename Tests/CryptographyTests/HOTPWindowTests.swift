import Basics
import Cryptography
import Foundation
import Testing

private let secret = Array("12345678901234567890".utf8)

private func code(_ counter: UInt64, digits: Int = 6, algorithm: OTPAlgorithm = .sha1) -> String {
    OneTimePassword.hotp(secret: secret, counter: counter, digits: digits, algorithm: algorithm)
}

private func verify(_ typed: String, counter: UInt64, pending: UInt64? = nil) -> OneTimePassword.HOTPVerdict {
    OneTimePassword.verifyHOTP(code: typed, secret: secret, counter: counter, pendingResync: pending, digits: 6, algorithm: .sha1)
}

@Test func totpMatchesRFC6238AppendixBForSHA256AndSHA512() {
    let seed32 = Array("12345678901234567890123456789012".utf8)
    let seed64 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)
    let vectors: [(TimeInterval, String, String)] = [
        (59, "46119246", "90693936"), (1_111_111_109, "68084774", "25091201"), (1_111_111_111, "67062674", "99943326"),
        (1_234_567_890, "91819424", "93441116"), (2_000_000_000, "90698825", "38618901"), (20_000_000_000, "77737706", "47863826"),
    ]
    for (seconds, sha256, sha512) in vectors {
        let time = Date(timeIntervalSince1970: seconds)
        #expect(OneTimePassword.totp(secret: seed32, at: time, digits: 8, algorithm: .sha256) == sha256)
        #expect(OneTimePassword.totp(secret: seed64, at: time, digits: 8, algorithm: .sha512) == sha512)
    }
}

@Test func hotpAcceptsCodesWithinTheLookAheadWindowAndMovesPastThem() {
    #expect(verify(code(5), counter: 5) == .accepted(nextCounter: 6))
    #expect(verify(code(14), counter: 5) == .accepted(nextCounter: 15))
    #expect(verify("287 082", counter: 0) == .accepted(nextCounter: 2))
}

@Test func hotpRefusesTheLastAcceptedCodeAsAReplay() {
    #expect(verify(code(5), counter: 6) == .replayed)
    #expect(verify(code(3), counter: 6) == .rejected)
}

@Test func hotpCodeFarAheadOnlyStartsAResynchronisation() {
    #expect(verify(code(100), counter: 5) == .resyncPending(counter: 100))
    #expect(verify(code(101), counter: 5, pending: 100) == .accepted(nextCounter: 102))
    // Not the immediately following code: the pending match proves nothing.
    #expect(verify(code(102), counter: 5, pending: 100) == .resyncPending(counter: 102))
    #expect(verify(code(101), counter: 5, pending: nil) == .resyncPending(counter: 101))
}

@Test func hotpCodeBeyondTheResyncLimitIsRejected() {
    #expect(verify(code(205), counter: 5) == .rejected)
    #expect(verify("12345", counter: 5) == .rejected)
    #expect(verify("abcdef", counter: 5) == .rejected)
}

@Test func hotpSupportsEightDigitsAndSHA256() {
    let typed = code(3, digits: 8, algorithm: .sha256)
    #expect(
        OneTimePassword.verifyHOTP(code: typed, secret: secret, counter: 0, pendingResync: nil, digits: 8, algorithm: .sha256)
            == .accepted(nextCounter: 4))
    #expect(
        OneTimePassword.verifyHOTP(code: typed, secret: secret, counter: 0, pendingResync: nil, digits: 8, algorithm: .sha1)
            == .rejected)
}
