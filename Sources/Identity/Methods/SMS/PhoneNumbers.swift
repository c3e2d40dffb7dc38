import Foundation
import Storage

/// My Account's mobile phone numbers: adding one by typing the code sent to it, and removing one.
/// The pages ask for a fresh verification before any of these changes.
public struct PhoneNumbers: Sendable {
    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    public func numbers(of account: Account) throws -> [PhoneNumberRecord] {
        try dependencies.database.read { try $0.phoneNumbers(accountID: account.id) }
    }

    public enum Start: Sendable, Equatable {
        case sent
        case invalid([FieldError])
    }

    /// Sends a code to `phone` (as typed); any earlier number waiting for its code is forgotten.
    public func startAdding(account: Account, phone: String, client: ClientInfo) throws -> Start {
        let number: PhoneNumber
        switch PhoneNumber.parse(phone) {
        case .success(let parsed): number = parsed
        case .failure(let problem): return .invalid([FieldError(field: "phone", messageKey: problem.messageKey)])
        }
        return try dependencies.database.write { store in
            if try store.phoneNumbers(accountID: account.id).contains(where: { $0.number == number.e164 }) {
                return .invalid([FieldError(field: "phone", messageKey: "error_phone_already_added")])
            }
            try store.deleteSMSChallenges(accountID: account.id, purpose: .addPhone)
            guard
                try SMSChallenges(dependencies).start(
                    account: account, number: number.e164, purpose: .addPhone, client: client, in: store) != nil
            else { return .invalid([FieldError(field: "phone", messageKey: "error_sms_throttled")]) }
            return .sent
        }
    }

    /// A number waiting for its code.
    public struct Pending: Sendable, Equatable {
        public var number: String
        /// When "send the code again" will be accepted.
        public var resendAt: Date
    }

    /// The number waiting for its code, if its code can still be typed.
    public func pending(of account: Account) throws -> Pending? {
        let now = dependencies.clock.now()
        guard let challenge = try dependencies.database.read({ try $0.latestSMSChallenge(accountID: account.id, purpose: .addPhone) }),
            SMSChallenges.isLive(challenge, at: now)
        else { return nil }
        return Pending(number: challenge.number, resendAt: challenge.lastSentAt.addingTimeInterval(SMSChallenges.resendInterval))
    }

    public enum Finish: Sendable, Equatable {
        case added(String)
        case wrong
        /// Used, expired or out of tries (or never started): only adding the number again sends a new code.
        case expired
        case exhausted
    }

    /// Adds the waiting number when `code` is the one sent to it.
    public func finishAdding(account: Account, code: String, client: ClientInfo) throws -> Finish {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            guard let challenge = try store.latestSMSChallenge(accountID: account.id, purpose: .addPhone) else { return .expired }
            switch try SMSChallenges(dependencies).verify(challenge, code: code, in: store) {
            case .wrong: return .wrong
            case .expired: return .expired
            case .exhausted: return .exhausted
            case .accepted: break
            }
            _ = try store.addPhoneNumber(accountID: account.id, number: challenge.number, at: now)
            try store.deleteSMSChallenges(accountID: account.id, purpose: .addPhone)
            try store.appendAudit(
                event: "factor_added", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "method=sms", at: now)
            try Mailer(dependencies).enqueue(
                "phone_added", to: account, values: ["ip": client.ip, "phone_end": Self.ending(challenge.number)], in: store)
            return .added(challenge.number)
        }
    }

    public enum Resend: Sendable, Equatable {
        case sent
        case tooEarly
        case throttled
        /// Nothing is waiting, or its code is used up: the number must be added again.
        case finished
    }

    /// Sends a new code to the waiting number; its failure count carries over.
    public func resend(account: Account, client: ClientInfo) throws -> Resend {
        try dependencies.database.write { store in
            guard let challenge = try store.latestSMSChallenge(accountID: account.id, purpose: .addPhone) else { return .finished }
            switch try SMSChallenges(dependencies).resend(challenge, account: account, client: client, in: store) {
            case .sent: return .sent
            case .tooEarly: return .tooEarly
            case .throttled: return .throttled
            case .finished: return .finished
            }
        }
    }

    /// Removes one of the account's numbers; false when it had no such number.
    public func remove(account: Account, number: String, client: ClientInfo) throws -> Bool {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            guard try store.deletePhoneNumber(accountID: account.id, number: number) else { return false }
            try store.appendAudit(
                event: "factor_removed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "method=sms", at: now)
            try Mailer(dependencies).enqueue(
                "phone_removed", to: account, values: ["ip": client.ip, "phone_end": Self.ending(number)], in: store)
            return true
        }
    }

    /// The last digits, enough for the owner to recognise the number in an e-mail without spelling it out.
    static func ending(_ number: String) -> String {
        String(number.suffix(3))
    }
}
