import Foundation
import Storage

/// Self-registration: a new account waits for its owner to choose a password from an e-mailed link.
public struct Registration: Sendable {
    /// What the registration form submits.
    public struct Form: Sendable {
        public var firstName: String
        public var lastName: String
        public var email: String
        public var emailConfirm: String
        public var emailLanguage: String
        public var privacyAccepted: Bool
        public init(firstName: String, lastName: String, email: String, emailConfirm: String, emailLanguage: String, privacyAccepted: Bool)
        {
            self.firstName = firstName
            self.lastName = lastName
            self.email = email
            self.emailConfirm = emailConfirm
            self.emailLanguage = emailLanguage
            self.privacyAccepted = privacyAccepted
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// The same answer whether the address was new or already registered, so the form reveals no accounts.
        case mailSent
        case invalid([FieldError])
        case tooManyRequests
    }

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// Field problems in form order; empty when the form can be accepted.
    public func validate(_ form: Form) -> [FieldError] {
        var errors: [FieldError] = []
        if PersonName.normalize(form.firstName).isEmpty {
            errors.append(FieldError(field: "first_name", messageKey: "error_first_name_required"))
        } else if !PersonName.isValid(PersonName.normalize(form.firstName)) {
            errors.append(FieldError(field: "first_name", messageKey: "error_name_invalid"))
        }
        if PersonName.normalize(form.lastName).isEmpty {
            errors.append(FieldError(field: "last_name", messageKey: "error_last_name_required"))
        } else if !PersonName.isValid(PersonName.normalize(form.lastName)) {
            errors.append(FieldError(field: "last_name", messageKey: "error_name_invalid"))
        }
        let email = EmailAddress.normalize(form.email)
        if email.isEmpty {
            errors.append(FieldError(field: "email", messageKey: "error_email_required"))
        } else if !EmailAddress.isValid(email) {
            errors.append(FieldError(field: "email", messageKey: "error_email_invalid"))
        } else if email.lowercased() != EmailAddress.normalize(form.emailConfirm).lowercased() {
            errors.append(FieldError(field: "email_confirm", messageKey: "error_email_mismatch"))
        }
        if !dependencies.settings.languages.contains(form.emailLanguage) {
            errors.append(FieldError(field: "email_lang", messageKey: "error_language_invalid"))
        }
        if !form.privacyAccepted {
            errors.append(FieldError(field: "privacy", messageKey: "error_privacy_required"))
        }
        return errors
    }

    /// Creates the pending account and queues its link, or mails the existing owner instead.
    public func register(_ form: Form, client: ClientInfo) throws -> Outcome {
        let errors = validate(form)
        if !errors.isEmpty { return .invalid(errors) }
        let email = EmailAddress.normalize(form.email)
        let now = dependencies.clock.now()
        let links = EmailLinks(dependencies)
        let mailer = Mailer(dependencies)
        return try dependencies.database.write { store in
            guard try RateLimit.mailRequestPerIP.hit(client.ip, in: store, at: now) else { return .tooManyRequests }
            if let existing = try store.account(email: email) {
                switch existing.status {
                case .pending:
                    let link = try links.issue(.setPassword, for: existing.id, in: store)
                    try mailer.enqueue("set_password", to: existing, values: ["link": link, "hours": "24"], in: store)
                case .active:
                    let link = try links.issue(.resetPassword, for: existing.id, in: store)
                    try mailer.enqueue("already_registered", to: existing, values: ["link": link, "hours": "24"], in: store)
                case .disabled:
                    break
                }
                try store.appendAudit(
                    event: "registration_existing", accountID: existing.id, email: existing.email, ip: client.ip,
                    userAgent: client.userAgent, at: now)
                return .mailSent
            }
            let account = try store.createAccount(
                NewAccount(
                    uid: dependencies.random.string(length: 16, alphabet: Array("abcdefghijkmnpqrstuvwxyz23456789")),
                    email: email, firstName: PersonName.normalize(form.firstName), lastName: PersonName.normalize(form.lastName),
                    emailLanguage: form.emailLanguage),
                at: now)
            let link = try links.issue(.setPassword, for: account.id, in: store)
            try mailer.enqueue("set_password", to: account, values: ["link": link, "hours": "24"], in: store)
            try store.appendAudit(
                event: "registration", accountID: account.id, email: account.email, ip: client.ip, userAgent: client.userAgent, at: now)
            return .mailSent
        }
    }

    /// "Send me a new link": for a pending account a new set-password link, for an active one a reset link.
    /// Always the same outcome, so the form reveals no accounts.
    public func sendNewLink(email rawEmail: String, client: ClientInfo) throws -> Outcome {
        let email = EmailAddress.normalize(rawEmail)
        guard EmailAddress.isValid(email) else {
            return .invalid([FieldError(field: "email", messageKey: email.isEmpty ? "error_email_required" : "error_email_invalid")])
        }
        let now = dependencies.clock.now()
        let links = EmailLinks(dependencies)
        let mailer = Mailer(dependencies)
        return try dependencies.database.write { store in
            guard try RateLimit.mailRequestPerIP.hit(client.ip, in: store, at: now) else { return .tooManyRequests }
            guard let account = try store.account(email: email), account.status != .disabled else { return .mailSent }
            let purpose: EmailLinkPurpose = account.status == .pending ? .setPassword : .resetPassword
            let link = try links.issue(purpose, for: account.id, in: store)
            try mailer.enqueue(
                purpose == .setPassword ? "set_password" : "reset_password", to: account, values: ["link": link, "hours": "24"], in: store)
            try store.appendAudit(
                event: purpose == .setPassword ? "link_resent" : "password_reset_requested", accountID: account.id, email: account.email,
                ip: client.ip, userAgent: client.userAgent, at: now)
            return .mailSent
        }
    }
}
