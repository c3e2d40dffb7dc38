import Foundation
import Storage

/// The SMS step of the sign-in: a code sent to one of the account's verified numbers, checked once.
public struct SMSSignIn: Sendable {
    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// The account's verified numbers (E.164), for the sign-in form's choice.
    public func numbers(of account: Account) throws -> [String] {
        try dependencies.database.read { try $0.phoneNumbers(accountID: account.id) }.map(\.number)
    }

    public enum Start: Sendable, Equatable {
        case sent(challenge: String)
        case unknownNumber
        case throttled
    }

    /// `phone` as the user typed it; must normalise to one of the account's verified numbers. Queues the SMS with a
    /// 9-character code and returns an opaque challenge reference (≥128 random bits, base64url; only its SHA-256 stored).
    public func start(account: Account, phone: String, client: ClientInfo) throws -> Start {
        guard case .success(let number) = PhoneNumber.parse(phone) else { return .unknownNumber }
        return try dependencies.database.write { store in
            guard try store.phoneNumbers(accountID: account.id).contains(where: { $0.number == number.e164 }) else {
                return .unknownNumber
            }
            guard
                let reference = try SMSChallenges(dependencies).start(
                    account: account, number: number.e164, purpose: .signIn, client: client, in: store)
            else { return .throttled }
            return .sent(challenge: reference)
        }
    }

    public enum Verdict: Sendable, Equatable {
        case accepted
        case wrong
        case expired
        case exhausted
    }

    /// Single use: `.accepted` consumes the challenge; the 5th wrong answer makes it `.exhausted`.
    public func verify(account: Account, challenge: String, code: String) throws -> Verdict {
        try dependencies.database.write { store in
            guard let record = try signInChallenge(challenge, of: account, in: store) else { return .expired }
            return try SMSChallenges(dependencies).verify(record, code: code, in: store)
        }
    }

    /// Sends a new code for the same challenge, its failure count carried over; false when throttled, used or expired.
    public func resend(account: Account, challenge: String, client: ClientInfo) throws -> Bool {
        try dependencies.database.write { store in
            guard let record = try signInChallenge(challenge, of: account, in: store) else { return false }
            return try SMSChallenges(dependencies).resend(record, account: account, client: client, in: store) == .sent
        }
    }

    /// The challenge only if it is this account's and for signing in.
    private func signInChallenge(_ reference: String, of account: Account, in store: Store) throws -> SMSChallengeRecord? {
        guard let record = try store.smsChallenge(referenceHash: tokenHash(reference)), record.accountID == account.id,
            record.purpose == .signIn
        else { return nil }
        return record
    }
}
