import Foundation
import Storage

/// Choosing a password: from an e-mailed link (registration, lost password) or in My Account.
public struct PasswordChange: Sendable {
    public enum Outcome: Sendable {
        /// The password was set and a session started (link flows) or kept (My Account).
        case changed(account: Account, sessionToken: String?)
        case invalid([FieldError])
        case linkProblem(EmailLinks.Problem)
    }

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// The policy's verdict as field errors on `password`, plus a mismatch on `password_confirm`.
    public func problems(password: String, confirmation: String, for account: Account) -> [FieldError] {
        var errors: [FieldError] = []
        if password.isEmpty {
            errors.append(FieldError(field: "password", messageKey: "error_password_required"))
        } else {
            let normalized = PasswordPolicy.normalize(password)
            for rule in PasswordPolicy().violations(
                of: normalized, email: account.email, firstName: account.firstName, lastName: account.lastName,
                leaked: dependencies.leakedPasswords)
            {
                errors.append(FieldError(field: "password", messageKey: "password_rule_\(rule.rawValue)"))
            }
        }
        if errors.isEmpty && password != confirmation {
            errors.append(FieldError(field: "password_confirm", messageKey: "error_password_mismatch"))
        }
        return errors
    }

    /// Sets the password from a registration or reset link, uses the link up and signs the owner in.
    public func setFromLink(token: String, password: String, confirmation: String, client: ClientInfo) throws -> Outcome {
        let links = EmailLinks(dependencies)
        let checked = try dependencies.database.read { try links.check(token: token, purposes: [.setPassword, .resetPassword], in: $0) }
        let account: Account
        switch checked {
        case .failure(let box): return .linkProblem(box.problem)
        case .success(let found): account = found.1
        }
        let errors = problems(password: password, confirmation: confirmation, for: account)
        if !errors.isEmpty { return .invalid(errors) }
        let hash = dependencies.hasher.hash(PasswordPolicy.normalize(password), salt: dependencies.random.bytes(16))
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            // Checked again inside the write: two tabs racing with one link must not both win.
            guard case .success(let (link, current)) = try links.check(token: token, purposes: [.setPassword, .resetPassword], in: store),
                try store.consumeEmailLink(id: link.id, at: now)
            else { return .linkProblem(.used) }
            try store.setPassword(accountID: current.id, hash: hash, at: now)
            try store.retireEmailLinks(accountID: current.id, purpose: .resetPassword, at: now)
            try store.retireEmailLinks(accountID: current.id, purpose: .setPassword, at: now)
            let event = link.purpose == .setPassword ? "password_created" : "password_reset"
            try store.appendAudit(
                event: event, accountID: current.id, email: current.email, ip: client.ip, userAgent: client.userAgent, at: now)
            if link.purpose == .resetPassword {
                // Whoever knew the old password loses every session.
                try SingleLogout(dependencies).enqueue(forAccount: current.id, in: store)
                try store.deleteSessions(accountID: current.id)
                try Mailer(dependencies).enqueue("password_changed", to: current, in: store)
            }
            let refreshed = try store.account(id: current.id) ?? current
            let token = try SessionService(dependencies).start(for: refreshed, methods: [.password], client: client, in: store)
            return .changed(account: refreshed, sessionToken: token)
        }
    }

    /// Changes the password of a signed-in account after checking the current one.
    public func change(account: Account, current: String, password: String, confirmation: String, keepSessionID: Int64, client: ClientInfo)
        throws -> Outcome
    {
        guard let hash = account.passwordHash, dependencies.hasher.verify(PasswordPolicy.normalize(current), against: hash) else {
            return .invalid([FieldError(field: "current_password", messageKey: "error_current_password_wrong")])
        }
        let errors = problems(password: password, confirmation: confirmation, for: account)
        if !errors.isEmpty { return .invalid(errors) }
        let newHash = dependencies.hasher.hash(PasswordPolicy.normalize(password), salt: dependencies.random.bytes(16))
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            try store.setPassword(accountID: account.id, hash: newHash, at: now)
            // Other browsers signed in with the old password are signed out; this one stays.
            for session in try store.sessions(accountID: account.id) where session.id != keepSessionID {
                try SingleLogout(dependencies).enqueue(forSession: session.id, in: store)
                try store.deleteSession(id: session.id)
            }
            try store.appendAudit(
                event: "password_changed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent, at: now)
            try Mailer(dependencies).enqueue("password_changed", to: account, in: store)
            return .changed(account: account, sessionToken: nil)
        }
    }
}
