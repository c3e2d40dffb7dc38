import Foundation
import Storage

/// The sign-in: checks the throttles, the account, the password and the second factor, and starts (or, for a
/// step-up, upgrades) the session. Methods with a second page (SMS, challenge-response tokens) answer with a
/// challenge first; `answer` completes them.
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
        /// The password was right (or waived) but the second factor was not accepted; guesses count as failures.
        case secondFactorRefused(FieldError)
        /// The password was right (or waived); the method's second page asks for the answer to this challenge.
        case challenge(SignInChallenge)
    }

    /// What a sign-in form submits; the second-factor fields matter only for their methods.
    public struct Attempt: Sendable {
        public var email: String
        public var password: String
        public var method: VerificationMethod
        public var code = ""
        public var serial = ""
        public var phone = ""
        /// The browser's current session: a step-up upgrades it, and a recent one of the same account waives the password.
        public var session: SSOSession?
        /// A re-verification (or CAS `renew`) always asks the password, however recent the session.
        public var passwordRequired = false

        public init(email: String, password: String, method: VerificationMethod = .password) {
            self.email = email
            self.password = password
            self.method = method
        }
    }

    let dependencies: Dependencies
    public var throttle = SignInThrottle()

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    public func signIn(
        email: String, password: String, method: VerificationMethod = .password, code: String = "", client: ClientInfo
    ) throws -> Outcome {
        var attempt = Attempt(email: email, password: password, method: method)
        attempt.code = code
        return try signIn(attempt, client: client)
    }

    public func signIn(_ attempt: Attempt, client: ClientInfo) throws -> Outcome {
        let now = dependencies.clock.now()
        let account: Account
        switch try admit(email: attempt.email, client: client, at: now) {
        case .refused(let outcome):
            if case .rejected = outcome { dependencies.hasher.verifyDecoy(attempt.password) }
            return outcome
        case .admitted(let found): account = found
        }
        let waived =
            !attempt.passwordRequired && attempt.method != .password
            && SecondFactors(dependencies).waivesPassword(attempt.session, accountID: account.id)
        if !waived {
            guard let hash = account.passwordHash,
                dependencies.hasher.verify(PasswordPolicy.normalize(attempt.password), against: hash)
            else { return try recordFailure(of: account, reason: "wrong_password", client: client, at: now) }
        }
        switch try SecondFactorCheck(dependencies).check(attempt, account: account, client: client) {
        case .passed:
            return try finish(account: account, method: attempt.method, session: attempt.session, client: client)
        case .challenge(let challenge):
            return .challenge(challenge)
        case .refused(let error, let reason):
            guard let reason else { return .secondFactorRefused(error) }
            return try recordFailure(of: account, reason: reason, client: client, at: now).secondFactorRefused(error)
        }
    }

    /// The second page of a method with a challenge: `reference` came with the challenge, `response` is the user's answer.
    public func answer(
        email: String, method: VerificationMethod, reference: String, response: String, session: SSOSession?, client: ClientInfo
    ) throws -> Outcome {
        let now = dependencies.clock.now()
        let account: Account
        switch try admit(email: email, client: client, at: now) {
        case .refused(let outcome): return outcome
        case .admitted(let found): account = found
        }
        switch try SecondFactorCheck(dependencies).answer(
            method: method, account: account, reference: reference, response: response)
        {
        case .passed:
            return try finish(account: account, method: method, session: session, client: client)
        case .challenge(let challenge):
            return .challenge(challenge)
        case .refused(let error, let reason):
            guard let reason else { return .secondFactorRefused(error) }
            return try recordFailure(of: account, reason: reason, client: client, at: now).secondFactorRefused(error)
        }
    }

    /// Sends an SMS challenge's code again; false when it is too early, or the challenge is used or expired.
    public func resend(email: String, challenge: SignInChallenge, client: ClientInfo) throws -> Bool {
        let now = dependencies.clock.now()
        guard case .admitted(let account) = try admit(email: email, client: client, at: now) else { return false }
        return try SecondFactorCheck(dependencies).resend(challenge, account: account, client: client)
    }

    private enum Admission {
        case admitted(Account)
        case refused(Outcome)
    }

    /// The checks before any secret is looked at: the client's and the account's throttles, and an active account.
    private func admit(email rawEmail: String, client: ClientInfo, at now: Date) throws -> Admission {
        let email = EmailAddress.normalize(rawEmail)
        let database = dependencies.database
        if try database.read({ try RateLimit.failedSignInPerIP.isExceeded(client.ip, in: $0, at: now) }) {
            try database.write {
                try $0.appendAudit(
                    event: "sign_in_client_throttled", accountID: nil, email: email, ip: client.ip, userAgent: client.userAgent, at: now)
            }
            return .refused(.clientThrottled)
        }
        let account = try database.read { try $0.account(email: email) }
        guard let account, account.status == .active, account.passwordHash != nil else {
            try database.write { store in
                _ = try RateLimit.failedSignInPerIP.hit(client.ip, in: store, at: now)
                try store.appendAudit(
                    event: "sign_in_failed", accountID: account?.id, email: email, ip: client.ip, userAgent: client.userAgent,
                    detail: "reason=\(account.map { "account_\($0.status.rawValue)" } ?? "unknown_account")", at: now)
            }
            // The caller spends the time of a real password check, so that timing does not reveal accounts.
            return .refused(.rejected)
        }
        if account.locked { return .refused(.locked) }
        if let until = account.throttledUntil, until > now { return .refused(.throttled(until: until)) }
        return .admitted(account)
    }

    /// Upgrades the browser's session of the same account (a step-up), else starts a new one; a session of another
    /// account in the same browser ends with its single logout.
    private func finish(account: Account, method: VerificationMethod, session: SSOSession?, client: ClientInfo) throws -> Outcome {
        let token = try dependencies.database.write { store in
            try store.recordSuccessfulSignIn(accountID: account.id)
            let sessions = SessionService(dependencies)
            if let session, session.accountID == account.id {
                return try sessions.upgrade(session, of: account, adding: method.sessionMethods, client: client, in: store)
            }
            if let session {
                try SingleLogout(dependencies).enqueue(forSession: session.id, in: store)
                try store.deleteSession(id: session.id)
            }
            return try sessions.start(for: account, methods: method.sessionMethods, client: client, in: store)
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
    /// A wrong second factor keeps its own message unless the failure locked the account.
    fileprivate func secondFactorRefused(_ error: FieldError) -> SignIn.Outcome {
        if case .locked = self { return self }
        return .secondFactorRefused(error)
    }
}
