import Basics
import Foundation
import Storage

/// The rules every SMS code follows, whether it adds a number or signs in: short life, few tries, throttled
/// sending. Each method works inside the caller's transaction.
struct SMSChallenges {
    static let lifetime: TimeInterval = 600
    static let maximumFailures = 5
    /// Between two sends of one challenge.
    static let resendInterval: TimeInterval = 60
    /// The first send and the resends of one challenge together.
    static let maximumSends = 5

    let dependencies: Dependencies

    init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// Creates a challenge for `number`, queues its SMS and returns the challenge's reference; nil when the
    /// client or the account has had too many messages this hour.
    func start(
        account: Account, number: String, purpose: SMSChallengeRecord.Purpose, client: ClientInfo, in store: Store
    ) throws -> String? {
        let now = dependencies.clock.now()
        guard try allowSending(account: account, client: client, in: store, at: now) else { return nil }
        let kind = Self.kind(purpose)
        let code = SMSCode.make(kind, random: dependencies.random)
        let reference = dependencies.random.token(byteCount: 16)
        try store.createSMSChallenge(
            NewSMSChallenge(
                referenceHash: tokenHash(reference), accountID: account.id, purpose: purpose, number: number,
                codeHash: tokenHash(code), expiresAt: now.addingTimeInterval(Self.lifetime)),
            at: now)
        try queueText(code: code, kind: kind, account: account, number: number, in: store, at: now)
        return reference
    }

    /// Checks an answer and records its outcome: an accepted code is used up, a wrong one counted.
    func verify(_ challenge: SMSChallengeRecord, code: String, in store: Store) throws -> SMSSignIn.Verdict {
        let now = dependencies.clock.now()
        let verdict = Self.verdict(challenge, code: code, at: now)
        switch verdict {
        case .accepted:
            return try store.consumeSMSChallenge(id: challenge.id, at: now) ? .accepted : .expired
        case .wrong:
            return try store.recordSMSChallengeFailure(id: challenge.id) >= Self.maximumFailures ? .exhausted : .wrong
        case .expired, .exhausted:
            return verdict
        }
    }

    /// Neither used, expired nor out of tries.
    static func isLive(_ challenge: SMSChallengeRecord, at now: Date) -> Bool {
        challenge.usedAt == nil && now < challenge.expiresAt && challenge.failures < maximumFailures
    }

    /// The verdict on `code`, before anything is recorded.
    static func verdict(_ challenge: SMSChallengeRecord, code: String, at now: Date) -> SMSSignIn.Verdict {
        if challenge.usedAt != nil || now >= challenge.expiresAt { return .expired }
        if challenge.failures >= maximumFailures { return .exhausted }
        return ConstantTime.equals(tokenHash(SMSCode.normalize(code)), challenge.codeHash) ? .accepted : .wrong
    }

    /// How a resend request ended.
    enum Resend: Equatable {
        case sent
        /// Less than `resendInterval` after the last send.
        case tooEarly
        /// The client or the account has had too many messages this hour.
        case throttled
        /// Used, expired, out of tries or out of sends: only a new challenge helps.
        case finished
    }

    /// Sends a new code for the same challenge; its failures carry over.
    func resend(_ challenge: SMSChallengeRecord, account: Account, client: ClientInfo, in store: Store) throws -> Resend {
        let now = dependencies.clock.now()
        if !Self.isLive(challenge, at: now) || challenge.sends >= Self.maximumSends { return .finished }
        if now < challenge.lastSentAt.addingTimeInterval(Self.resendInterval) { return .tooEarly }
        guard try allowSending(account: account, client: client, in: store, at: now) else { return .throttled }
        let kind = Self.kind(challenge.purpose)
        let code = SMSCode.make(kind, random: dependencies.random)
        try store.replaceSMSChallengeCode(
            id: challenge.id, codeHash: tokenHash(code), expiresAt: now.addingTimeInterval(Self.lifetime), at: now)
        try queueText(code: code, kind: kind, account: account, number: challenge.number, in: store, at: now)
        return .sent
    }

    static func kind(_ purpose: SMSChallengeRecord.Purpose) -> SMSCode.Kind {
        purpose == .addPhone ? .addPhone : .signIn
    }

    /// Text messages cost money: both the client address and the account have an hourly allowance.
    private func allowSending(account: Account, client: ClientInfo, in store: Store, at now: Date) throws -> Bool {
        let limits: [(RateLimit, String)] = [(.smsPerIP, client.ip), (.smsPerAccount, String(account.id))]
        if let (limit, _) = try limits.first(where: { try $0.0.isExceeded($0.1, in: store, at: now) }) {
            try store.appendAudit(
                event: "sms_throttled", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "limit=\(limit.name)", at: now)
            return false
        }
        for (limit, key) in limits { _ = try limit.hit(key, in: store, at: now) }
        return true
    }

    /// The SMS in the account's e-mail language, naming the organisation and what the code is for.
    private func queueText(code: String, kind: SMSCode.Kind, account: Account, number: String, in store: Store, at now: Date) throws {
        let text = dependencies.mailRenderer.shortText(
            kind == .addPhone ? "sms_add_phone" : "sms_sign_in", language: account.emailLanguage,
            values: ["organisation": dependencies.settings.organisation.name, "code": SMSCode.display(code, as: kind)])
        try store.enqueueSMS(messageID: "sms-" + dependencies.random.token(byteCount: 16), recipient: number, text: text, at: now)
    }
}
