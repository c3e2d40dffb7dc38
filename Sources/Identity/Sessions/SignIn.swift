import Foundation
import Storage

/// The password step of the sign-in: checks the throttles, the account, the password and any second factor.
public struct SignIn: Sendable {
    public enum Outcome: Sendable {
        case signedIn(token: String, account: Account)
        /// Wrong e-mail or password: the same answer for both.
        case rejected
        /// The account must wait until this moment before another attempt.
        case throttled(until: Date)
        /// Too many failures: the owner was sent an unlock link.
        case locked
        /// Too many failures from this client address.
        case clientThrottled
        /// The password was right but the second factor's code was not (counted as a failure).
        case codeRejected
        /// The code was right but already used (counted as a failure).
        case codeReplayed
    }

    let dependencies: Dependencies
    public var throttle = SignInThrottle()

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    public func signIn(
        email rawEmail: String, password: String, method: VerificationMethod = .password, code: String = "", client: ClientInfo
    ) throws -> Outcome {
        let email = EmailAddress.normalize(rawEmail)
        let now = dependencies.clock.now()
        let database = dependencies.database
        if try database.read({ try RateLimit.failedSignInPerIP.isExceeded(client.ip, in: $0, at: now) }) {
            try database.write {
                try $0.appendAudit(
                    event: "sign_in_client_throttled", accountID: nil, email: email, ip: client.ip, userAgent: client.userAgent, at: now)
            }
            return .clientThrottled
        }
        let account = try database.read { try $0.account(email: email) }
        guard let account, account.status == .active, let hash = account.passwordHash else {
            // Spend the same time as a real check, so that timing does not reveal accounts.
            dependencies.hasher.verifyDecoy(password)
            try database.write { store in
                _ = try RateLimit.failedSignInPerIP.hit(client.ip, in: store, at: now)
                try store.appendAudit(
                    event: "sign_in_failed", accountID: account?.id, email: email, ip: client.ip, userAgent: client.userAgent,
                    detail: "reason=\(account.map { "account_\($0.status.rawValue)" } ?? "unknown_account")", at: now)
            }
            return .rejected
        }
        if account.locked { return .locked }
        if let until = account.throttledUntil, until > now { return .throttled(until: until) }

        let normalized = PasswordPolicy.normalize(password)
        guard dependencies.hasher.verify(normalized, against: hash) else {
            return try recordFailure(of: account, reason: "wrong_password", client: client, at: now)
        }
        switch method {
        case .password: break
        case .totp:
            switch try AuthenticatorApps(dependencies).check(account: account, code: code) {
            case .accepted: break
            case .rejected:
                return try recordFailure(of: account, reason: "wrong_code", client: client, at: now).codeFailure(.codeRejected)
            case .replayed:
                return try recordFailure(of: account, reason: "replayed_code", client: client, at: now).codeFailure(.codeReplayed)
            }
        case .sms, .token, .tokenCram:
            // Never a session for a method whose second factor this step did not check.
            return try recordFailure(of: account, reason: "method_unavailable", client: client, at: now).codeFailure(.codeRejected)
        }
        let token = try database.write { store in
            try store.recordSuccessfulSignIn(accountID: account.id)
            return try SessionService(dependencies).start(for: account, methods: method.sessionMethods, client: client, in: store)
        }
        return .signedIn(token: token, account: account)
    }

    /// Counts a failed verification of `account` (sign-in or a fresh verification in My Account) towards its
    /// throttle and lock; `.locked` when this failure locked it, else `.rejected`.
    func recordFailure(of account: Account, reason: String, client: ClientInfo, at now: Date) throws -> Outcome {
        try dependencies.database.write { store in
            _ = try RateLimit.failedSignInPerIP.hit(client.ip, in: store, at: now)
            // Re-read inside the transaction so concurrent failures are all counted.
            let failures = (try store.account(id: account.id)?.failedSignIns ?? account.failedSignIns) + 1
            let verdict = throttle.verdict(afterFailures: failures, at: now)
            try store.recordFailedSignIn(
                accountID: account.id, failures: failures, throttledUntil: verdict.throttledUntil, locked: verdict.locked)
            try store.appendAudit(
                event: "sign_in_failed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "reason=\(reason) failures=\(failures)", at: now)
            let mailer = Mailer(dependencies)
            if verdict.locked {
                let link = try EmailLinks(dependencies).issue(.unlock, for: account.id, in: store)
                try mailer.enqueue("account_locked", to: account, values: ["link": link, "failures": "\(failures)"], in: store)
                try store.appendAudit(
                    event: "account_locked", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                    detail: "failures=\(failures)", at: now)
                return .locked
            }
            if failures == throttle.warnAt {
                try mailer.enqueue("sign_in_failures", to: account, values: ["failures": "\(failures)", "ip": client.ip], in: store)
            }
            return .rejected
        }
    }
}

extension SignIn.Outcome {
    /// A wrong second factor keeps its own answer unless the failure locked the account.
    fileprivate func codeFailure(_ outcome: SignIn.Outcome) -> SignIn.Outcome {
        if case .locked = self { return self }
        return outcome
    }
}
