import Cryptography
import Foundation
import Storage

extension HardwareTokens {
    /// What a link attempt in My Account led to.
    public enum LinkResult: Sendable, Equatable {
        case linked(Linked)
        /// An OCRA token: the user types `question` into it and sends back its response with `reference`.
        /// `error` says why an earlier challenge was replaced, if it was.
        case challenge(serial: String, reference: String, question: String, error: FieldError?)
        case invalid([FieldError])
    }

    /// Links the free token `serial` to `account` once a current code (`code`) proves the user holds it.
    /// OCRA tokens take two steps: without `reference` a challenge is issued; with it, `code` is the response.
    /// An unknown serial, someone else's token and a wrong code all count as a failed verification.
    public func link(account: Account, serial rawSerial: String, code: String, reference: String, client: ClientInfo) throws -> LinkResult {
        let now = dependencies.clock.now()
        let serial = Self.normalize(serial: rawSerial)
        guard !serial.isEmpty else { return .invalid([FieldError(field: "serial", messageKey: "error_token_serial_missing")]) }
        let current = try dependencies.database.read { try $0.account(id: account.id) } ?? account
        if current.locked { return .invalid([FieldError(field: "otp", messageKey: "error_account_locked")]) }
        if let until = current.throttledUntil, until > now {
            return .invalid([FieldError(field: "otp", messageKey: "error_verification_throttled")])
        }
        enum Step {
            case done(LinkResult)
            /// A failed verification, counted before `result` is shown.
            case failed(reason: String, result: LinkResult)
        }
        func failure(_ reason: String, _ field: String, _ key: String) -> Step {
            .failed(reason: reason, result: .invalid([FieldError(field: field, messageKey: key)]))
        }
        let step: Step = try dependencies.database.write { store in
            guard let token = try store.hardwareToken(serial: serial), token.accountID == nil || token.accountID == current.id,
                let kind = Kind(rawValue: token.kind)
            else { return failure("unknown_token", "serial", "error_token_unknown") }
            if token.accountID == current.id {
                return .done(.invalid([FieldError(field: "serial", messageKey: "error_token_already_linked")]))
            }
            if kind == .ocra {
                let verdict: Verdict =
                    reference.isEmpty
                    ? .expired
                    : try answer(reference: reference, response: code, account: current, in: store) {
                        $0.id == token.id && $0.accountID == nil
                    }
                switch verdict {
                case .accepted: break
                case .wrong:
                    let question = try store.ocraChallenge(referenceHash: Digest.sha256(reference))?.question ?? ""
                    let error = FieldError(field: "otp", messageKey: "error_token_response_wrong")
                    return .failed(
                        reason: "wrong_code",
                        result: .challenge(serial: token.serial, reference: reference, question: question, error: error))
                case .exhausted:
                    return failure("wrong_code", "otp", "error_token_challenge_exhausted")
                case .expired:
                    guard case .challenge(let newReference, let question)? = try issueChallenge(for: token, account: current, in: store)
                    else { return failure("unknown_token", "serial", "error_token_unknown") }
                    let error = reference.isEmpty ? nil : FieldError(field: "otp", messageKey: "error_token_challenge_expired")
                    return .done(.challenge(serial: token.serial, reference: newReference, question: question, error: error))
                }
            } else {
                switch try check(token, code: code, in: store) {
                case .accepted: break
                case .needsNextCode: return .done(.invalid([FieldError(field: "otp", messageKey: "error_token_next_code")]))
                case .replayed: return failure("replayed_code", "otp", "error_token_code_replayed")
                case .rejected: return failure("wrong_code", "otp", "error_token_code_wrong")
                }
            }
            guard try store.linkHardwareToken(id: token.id, accountID: current.id, at: now) else {
                return failure("unknown_token", "serial", "error_token_unknown")
            }
            try store.appendAudit(
                event: "factor_added", accountID: current.id, email: current.email, ip: client.ip, userAgent: client.userAgent,
                detail: "method=\(kind.method.rawValue) serial=\(token.serial)", at: now)
            try Mailer(dependencies).enqueue("token_added", to: current, values: ["ip": client.ip, "serial": token.serial], in: store)
            return .done(.linked(Linked(serial: token.serial, kind: kind)))
        }
        switch step {
        case .done(let result): return result
        case .failed(let reason, let result):
            let outcome = try SignIn(dependencies).recordFailure(of: current, reason: reason, client: client, at: now)
            if case .locked = outcome { return .invalid([FieldError(field: "otp", messageKey: "error_account_locked")]) }
            return result
        }
    }

    /// Frees the account's token `serial`; false when the account has no such token.
    public func unlink(account: Account, serial rawSerial: String, client: ClientInfo) throws -> Bool {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            guard let token = try store.hardwareToken(serial: Self.normalize(serial: rawSerial)), token.accountID == account.id,
                let kind = Kind(rawValue: token.kind), try store.unlinkHardwareToken(id: token.id, accountID: account.id)
            else { return false }
            try store.appendAudit(
                event: "factor_removed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "method=\(kind.method.rawValue) serial=\(token.serial)", at: now)
            try Mailer(dependencies).enqueue("token_removed", to: account, values: ["ip": client.ip, "serial": token.serial], in: store)
            return true
        }
    }
}
