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

    func check(_ attempt: SignIn.Attempt, account: Account, client: ClientInfo) throws -> Result {
        switch attempt.method {
        case .password:
            return .passed
        case .totp:
            switch try AuthenticatorApps(dependencies).check(account: account, code: attempt.code) {
            case .accepted: return .passed
            case .rejected: return .refused(FieldError(field: "otp", messageKey: "error_otp_wrong"), reason: "wrong_code")
            case .replayed: return .refused(FieldError(field: "otp", messageKey: "error_otp_replayed"), reason: "replayed_code")
            }
        case .token:
            switch try HardwareTokens(dependencies).verifyCode(account: account, serial: attempt.serial, code: attempt.code) {
            case .accepted: return .passed
            case .rejected: return .refused(FieldError(field: "otp", messageKey: "error_token_code_wrong"), reason: "wrong_code")
            case .replayed: return .refused(FieldError(field: "otp", messageKey: "error_otp_replayed"), reason: "replayed_code")
            // Not a guess: the code was right, only far ahead; the next one finishes the sign-in.
            case .needsNextCode: return .refused(FieldError(field: "otp", messageKey: "error_token_next_code"), reason: nil)
            }
        case .tokenCram:
            switch try HardwareTokens(dependencies).startChallenge(account: account, serial: attempt.serial) {
            case .challenge(let reference, let question):
                return .challenge(SignInChallenge(method: .tokenCram, reference: reference, question: question))
            case .unknownToken:
                return .refused(FieldError(field: "serial", messageKey: "error_serial_unknown"), reason: "unknown_serial")
            }
        case .sms:
            switch try SMSSignIn(dependencies).start(account: account, phone: attempt.phone, client: client) {
            case .sent(let reference): return .challenge(SignInChallenge(method: .sms, reference: reference, question: ""))
            case .unknownNumber: return .refused(FieldError(field: "phone", messageKey: "error_phone_unknown"), reason: "unknown_phone")
            case .throttled: return .refused(FieldError(field: "phone", messageKey: "error_sms_throttled"), reason: nil)
            }
        }
    }

    /// The second page's answer; a wrong one counts like a wrong code, a dead challenge sends the user back to start again.
    func answer(method: VerificationMethod, account: Account, reference: String, response: String) throws -> Result {
        let wrong = Result.refused(FieldError(field: "otp", messageKey: "error_challenge_wrong"), reason: "wrong_code")
        let dead = Result.refused(FieldError(field: "otp", messageKey: "error_challenge_expired"), reason: nil)
        switch method {
        case .sms:
            switch try SMSSignIn(dependencies).verify(account: account, challenge: reference, code: response) {
            case .accepted: return .passed
            case .wrong: return wrong
            case .expired, .exhausted: return dead
            }
        case .tokenCram:
            switch try HardwareTokens(dependencies).verifyResponse(account: account, reference: reference, response: response) {
            case .accepted: return .passed
            case .wrong: return wrong
            case .expired, .exhausted: return dead
            }
        case .password, .token, .totp:
            return dead
        }
    }

    func resend(_ challenge: SignInChallenge, account: Account, client: ClientInfo) throws -> Bool {
        guard challenge.method == .sms else { return false }
        return try SMSSignIn(dependencies).resend(account: account, challenge: challenge.reference, client: client)
    }
}
