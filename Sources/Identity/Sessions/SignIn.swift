import Foundation
import Storage

/// The password step of the sign-in: checks the throttles, the account and the password.
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
    }

    let dependencies: Dependencies
    public var throttle = SignInThrottle()

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    public func signIn(email rawEmail: String, password: String, method: VerificationMethod = .password, client: ClientInfo) throws
        -> Outcome
    {
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
                    detail: "reason=\(account == nil ? "unknown_account" : "account_\(account!.status.rawValue)")", at: now)
            }
            return .rejected
        }
        if account.locked { return .locked }
        if let until = account.throttledUntil, until > now { return .throttled(until: until) }

        let normalized = PasswordPolicy.normalize(password)
        if dependencies.hasher.verify(normalized, against: hash) {
            let token = try database.write { store in
                try store.recordSuccessfulSignIn(accountID: account.id)
                return try SessionService(dependencies).start(for: account, methods: [method], client: client, in: store)
            }
            return .signedIn(token: token, account: account)
        }
        return try recordFailure(of: account, client: client, at: now)
    }

    private func recordFailure(of account: Account, client: ClientInfo, at now: Date) throws -> Outcome {
        try dependencies.database.write { store in
            _ = try RateLimit.failedSignInPerIP.hit(client.ip, in: store, at: now)
            // Re-read inside the transaction so concurrent failures are all counted.
            let failures = (try store.account(id: account.id)?.failedSignIns ?? account.failedSignIns) + 1
            let verdict = throttle.verdict(afterFailures: failures, at: now)
            try store.recordFailedSignIn(
                accountID: account.id, failures: failures, throttledUntil: verdict.throttledUntil, locked: verdict.locked)
            try store.appendAudit(
                event: "sign_in_failed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: "reason=wrong_password failures=\(failures)", at: now)
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
