import Foundation
import Storage

/// My Account's changes other than the password: personal data, e-mail address, deletion, unlocking.
public struct AccountService: Sendable {
    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    public enum Outcome: Sendable, Equatable {
        case done
        case invalid([FieldError])
    }

    public func updateProfile(account: Account, firstName: String, lastName: String, emailLanguage: String, client: ClientInfo) throws
        -> Outcome
    {
        var errors: [FieldError] = []
        let first = PersonName.normalize(firstName)
        let last = PersonName.normalize(lastName)
        if first.isEmpty {
            errors.append(FieldError(field: "first_name", messageKey: "error_first_name_required"))
        } else if !PersonName.isValid(first) {
            errors.append(FieldError(field: "first_name", messageKey: "error_name_invalid"))
        }
        if last.isEmpty {
            errors.append(FieldError(field: "last_name", messageKey: "error_last_name_required"))
        } else if !PersonName.isValid(last) {
            errors.append(FieldError(field: "last_name", messageKey: "error_name_invalid"))
        }
        if !dependencies.settings.languages.contains(emailLanguage) {
            errors.append(FieldError(field: "email_lang", messageKey: "error_language_invalid"))
        }
        if !errors.isEmpty { return .invalid(errors) }
        let now = dependencies.clock.now()
        try dependencies.database.write { store in
            try store.updateProfile(accountID: account.id, firstName: first, lastName: last, emailLanguage: emailLanguage)
            try store.appendAudit(
                event: "profile_changed", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent, at: now)
        }
        return .done
    }

    /// Sends a confirmation link to the new address (and a notice to the old one); nothing changes until it is followed.
    public func requestEmailChange(account: Account, newEmail rawEmail: String, confirmation: String, client: ClientInfo) throws -> Outcome
    {
        let email = EmailAddress.normalize(rawEmail)
        if email.isEmpty { return .invalid([FieldError(field: "email", messageKey: "error_email_required")]) }
        if !EmailAddress.isValid(email) { return .invalid([FieldError(field: "email", messageKey: "error_email_invalid")]) }
        if email.lowercased() != EmailAddress.normalize(confirmation).lowercased() {
            return .invalid([FieldError(field: "email_confirm", messageKey: "error_email_mismatch")])
        }
        if email.lowercased() == account.email.lowercased() {
            return .invalid([FieldError(field: "email", messageKey: "error_email_unchanged")])
        }
        let now = dependencies.clock.now()
        try dependencies.database.write { store in
            let mailer = Mailer(dependencies)
            let taken = try store.account(email: email) != nil
            if !taken {
                let link = try EmailLinks(dependencies).issue(.confirmEmail, for: account.id, newEmail: email, in: store)
                try mailer.enqueue(
                    "confirm_email", to: MailAddress(name: "\(account.firstName) \(account.lastName)", address: email),
                    language: account.emailLanguage,
                    values: ["link": link, "hours": "24", "first_name": account.firstName, "email": email], in: store)
            }
            // Whether or not the address is taken, the page and the notice are the same: no account is revealed.
            try mailer.enqueue("email_change_requested", to: account, values: ["new_email": email], in: store)
            try store.appendAudit(
                event: "email_change_requested", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                detail: taken ? "taken" : "", at: now)
        }
        return .done
    }

    public enum ConfirmOutcome: Sendable, Equatable {
        case changed(newEmail: String)
        case linkProblem(EmailLinks.Problem)
        case taken
    }

    public func confirmEmailChange(token: String, client: ClientInfo) throws -> ConfirmOutcome {
        let links = EmailLinks(dependencies)
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            switch try links.check(token: token, purposes: [.confirmEmail], in: store) {
            case .failure(let box):
                return .linkProblem(box.problem)
            case .success(let (link, account)):
                guard let newEmail = link.newEmail else { return .linkProblem(.unknown) }
                guard try store.consumeEmailLink(id: link.id, at: now) else { return .linkProblem(.used) }
                if try store.account(email: newEmail) != nil { return .taken }
                let oldAccount = account
                try store.changeEmail(accountID: account.id, to: newEmail)
                try store.appendAudit(
                    event: "email_changed", accountID: account.id, email: newEmail, ip: client.ip, userAgent: client.userAgent,
                    detail: "from=\(oldAccount.email)", at: now)
                try Mailer(dependencies).enqueue("email_changed", to: oldAccount, values: ["new_email": newEmail], in: store)
                return .changed(newEmail: newEmail)
            }
        }
    }

    /// Deletes the account after checking its password: personal data goes, every session ends.
    public func delete(account: Account, password: String, client: ClientInfo) throws -> Outcome {
        guard let hash = account.passwordHash, dependencies.hasher.verify(PasswordPolicy.normalize(password), against: hash) else {
            return .invalid([FieldError(field: "password", messageKey: "error_current_password_wrong")])
        }
        let now = dependencies.clock.now()
        try dependencies.database.write { store in
            // The goodbye mail is rendered now, while the name and address still exist.
            try Mailer(dependencies).enqueue("account_deleted", to: account, in: store)
            try store.appendAudit(
                event: "account_deleted", accountID: account.id, email: nil, ip: client.ip, userAgent: client.userAgent, at: now)
            try SingleLogout(dependencies).enqueue(forAccount: account.id, in: store)
            try store.deleteAccount(accountID: account.id)
        }
        return .done
    }

    /// Follows an unlock link from the lock e-mail.
    public func unlock(token: String, client: ClientInfo) throws -> EmailLinks.Problem? {
        let links = EmailLinks(dependencies)
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            switch try links.check(token: token, purposes: [.unlock], in: store) {
            case .failure(let box): return box.problem
            case .success(let (link, account)):
                guard try store.consumeEmailLink(id: link.id, at: now) else { return .used }
                try store.unlockAccount(accountID: account.id)
                try store.appendAudit(
                    event: "account_unlocked", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent,
                    at: now)
                return nil
            }
        }
    }
}
