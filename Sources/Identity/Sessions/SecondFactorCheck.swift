import Foundation
import Storage

/// A second page of the sign-in: what the browser carries back (`reference`) and what the page shows.
public struct SignInChallenge: Sendable, Equatable {
    public var method: VerificationMethod
    /// Opaque and single use; the database keeps only its SHA-256.
    public var reference: String
    /// The challenge a challenge-response token needs; empty for SMS, whose code travels by SMS.
    public var question: String

    public init(method: VerificationMethod, reference: String, question: String) {
        self.method = method
        self.reference = reference
        self.question = question
    }
}

/// The second factor of a sign-in, dispatched to its method once the password is proven (or waived).
struct SecondFactorCheck {
    enum Result {
        case passed
        case challenge(SignInChallenge)
        /// `reason` names a guess for the audit log and the account's throttle; nil when nothing was guessed.
        case refused(FieldError, reason: String?)
    }

    let dependencies: Dependencies

    init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    func check(_ attempt: SignIn.Attempt, account: Account) throws -> Result {
        switch attempt.method {
        case .password:
            return .passed
        case .totp:
            switch try AuthenticatorApps(dependencies).check(account: account, code: attempt.code) {
            case .accepted: return .passed
            case .rejected: return .refused(FieldError(field: "otp", messageKey: "error_otp_wrong"), reason: "wrong_code")
            case .replayed: return .refused(FieldError(field: "otp", messageKey: "error_otp_replayed"), reason: "replayed_code")
            }
        case .sms, .token, .tokenCram:
            // Never a session for a method whose factor this step cannot check.
            return .refused(FieldError(field: "method", messageKey: "error_method_unavailable"), reason: "method_unavailable")
        }
    }

    func answer(method: VerificationMethod, account: Account, reference: String, response: String) throws -> Result {
        .refused(FieldError(field: "otp", messageKey: "error_challenge_expired"), reason: nil)
    }

    func resend(_ challenge: SignInChallenge, account: Account, client: ClientInfo) throws -> Bool {
        false
    }
}
