import Basics
import Cryptography
import Foundation
import Storage

extension HardwareTokens {
    /// A challenge for an OCRA token, or why there is none.
    public enum ChallengeStart: Sendable, Equatable {
        /// `reference` goes back with the response (in a hidden field); `question` is what the user types into the token.
        case challenge(reference: String, question: String)
        case unknownToken
    }

    /// A response's verdict.
    public enum Verdict: Sendable, Equatable {
        case accepted
        case wrong
        /// Used, past its lifetime, or not this account's: a new challenge is needed.
        case expired
        /// Too many wrong responses to this challenge.
        case exhausted
    }

    static let challengeLifetime: TimeInterval = 600
    static let challengeTries = 5
    /// How far ahead a counter-based OCRA token may have counted (responses computed without the server).
    static let ocraCounterWindow: UInt64 = 10

    /// For an OCRA token linked to `account`: a fresh challenge (digits for the usual numeric suites).
    public func startChallenge(account: Account, serial: String) throws -> ChallengeStart {
        try dependencies.database.write { store in
            guard let token = try store.hardwareToken(serial: Self.normalize(serial: serial)), token.accountID == account.id else {
                return .unknownToken
            }
            return try issueChallenge(for: token, account: account, in: store) ?? .unknownToken
        }
    }

    /// Checks the response to the challenge `reference` for the OCRA token linked to `account`; single use.
    public func verifyResponse(account: Account, reference: String, response: String) throws -> Verdict {
        try dependencies.database.write { store in
            try answer(reference: reference, response: response, account: account, in: store) { $0.accountID == account.id }
        }
    }

    /// Stores a new challenge for an OCRA token (linked to `account`, or free when `account` is linking it).
    func issueChallenge(for token: HardwareTokenRecord, account: Account, in store: Store) throws -> ChallengeStart? {
        guard token.kind == Kind.ocra.rawValue, let suite = token.ocraSuite.flatMap(OCRASuite.init) else { return nil }
        let question = OCRA.challenge(for: suite, random: dependencies.random)
        let reference = dependencies.random.token()
        try store.insertOCRAChallenge(
            referenceHash: Digest.sha256(reference), tokenID: token.id, accountID: account.id, question: question,
            expiresAt: dependencies.clock.now().addingTimeInterval(Self.challengeLifetime))
        return .challenge(reference: reference, question: question)
    }

    /// Checks `response` against the challenge: wrong answers count, the right one uses it (and a counter) up.
    func answer(
        reference: String, response: String, account: Account, in store: Store, tokenIsValid: (HardwareTokenRecord) -> Bool
    ) throws -> Verdict {
        let now = dependencies.clock.now()
        guard let challenge = try store.ocraChallenge(referenceHash: Digest.sha256(reference)), challenge.accountID == account.id,
            challenge.usedAt == nil, challenge.expiresAt > now, let token = try store.hardwareToken(id: challenge.tokenID),
            tokenIsValid(token)
        else { return .expired }
        guard challenge.failures < Self.challengeTries else { return .exhausted }
        guard let matchedCounter = try match(response: response, question: challenge.question, token: token, at: now) else {
            return try store.recordOCRAChallengeFailure(id: challenge.id) >= Self.challengeTries ? .exhausted : .wrong
        }
        guard try store.consumeOCRAChallenge(id: challenge.id, at: now) else { return .expired }
        if let matchedCounter, !(try store.advanceHardwareTokenCounter(id: token.id, from: token.counter, to: matchedCounter + 1)) {
            return .expired
        }
        return .accepted
    }

    /// Nil when the response is wrong; else the counter it used (nil for suites without a counter).
    /// Every candidate (counters ahead, time steps ±1) is computed and compared in constant time.
    private func match(response: String, question: String, token: HardwareTokenRecord, at now: Date) throws -> UInt64?? {
        guard let suite = token.ocraSuite.flatMap(OCRASuite.init), let secret = open(token),
            let typed = Self.digitsOnly(response, count: suite.digits)
        else { return nil }
        let counters = suite.usesCounter ? Array(token.counter..<token.counter + Self.ocraCounterWindow) : [token.counter]
        var steps: [UInt64] = [0]
        if let timeStep = suite.timeStep {
            let current = UInt64(max(0, now.timeIntervalSince1970) / Double(timeStep))
            steps = [current - min(current, 1), current, current + 1]
        }
        var matched: UInt64??
        for counter in counters {
            for step in steps {
                let expected = OCRA.response(
                    suite: suite, secret: secret, question: question, inputs: OCRA.Inputs(counter: counter, timeStep: step))
                if let expected, ConstantTime.equals(expected, typed), matched == nil {
                    matched = .some(suite.usesCounter ? counter : nil)
                }
            }
        }
        return matched
    }

    /// The response as typed into three fields or pasted with hyphens or spaces, if it has exactly `count` digits.
    static func digitsOnly(_ text: String, count: Int) -> String? {
        let typed = text.filter { !$0.isWhitespace && $0 != "-" }
        return typed.count == count && typed.allSatisfy({ $0.isASCII && $0.isNumber }) ? typed : nil
    }
}
