import ArgumentParser
import Basics
import Cryptography
import Foundation
import Identity
import Storage

/// `appliance user …`: manage accounts from the shell.
struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts.", subcommands: [Add.self, List.self, Show.self, Disable.self, Delete.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an active account; the password is read from standard input.")
        @OptionGroup var options: GlobalOptions
        @Argument var email: String
        @Option var firstName: String
        @Option var lastName: String
        @Option var language = "en"

        func run() throws {
            let runtime = try Runtime.load(options, label: "user")
            let password = (readLine(strippingNewline: true) ?? "")
            let email = EmailAddress.normalize(self.email)
            guard EmailAddress.isValid(email) else { throw ValidationError("not a valid e-mail address: \(email)") }
            guard PersonName.isValid(PersonName.normalize(firstName)), PersonName.isValid(PersonName.normalize(lastName)) else {
                throw ValidationError("first and last name must be letters")
            }
            let violations = PasswordPolicy().violations(
                of: PasswordPolicy.normalize(password), email: email, firstName: firstName, lastName: lastName,
                leaked: runtime.dependencies.leakedPasswords)
            guard violations.isEmpty else {
                throw ValidationError("password refused: \(violations.map(\.rawValue).joined(separator: ", "))")
            }
            let deps = runtime.dependencies
            let hash = deps.hasher.hash(PasswordPolicy.normalize(password), salt: deps.random.bytes(16))
            let now = deps.clock.now()
            let account = try deps.database.write { store -> Account in
                guard try store.account(email: email) == nil else { throw ValidationError("an account with \(email) exists") }
                let account = try store.createAccount(
                    NewAccount(
                        uid: deps.random.string(length: 16, alphabet: Array("abcdefghijkmnpqrstuvwxyz23456789")), email: email,
                        firstName: PersonName.normalize(firstName), lastName: PersonName.normalize(lastName), emailLanguage: language,
                        passwordHash: hash, status: .active),
                    at: now)
                try store.appendAudit(
                    event: "account_created_by_operator", accountID: account.id, email: email, ip: "cli", userAgent: "appliance user add",
                    at: now)
                return account
            }
            print("created \(account.email) (uid \(account.uid))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var options: GlobalOptions
        func run() throws {
            let settings = try ConfigFile.load(options.config)
            let database = try AppDatabase.open(path: settings.storage.path)
            for account in try database.read({ try $0.allAccounts() }) {
                print(
                    "\(account.email)\t\(account.status.rawValue)\(account.locked ? " locked" : "")\t\(account.firstName) \(account.lastName)\t\(account.uid)"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one account and its recent security events.")
        @OptionGroup var options: GlobalOptions
        @Argument var email: String
        func run() throws {
            let settings = try ConfigFile.load(options.config)
            let database = try AppDatabase.open(path: settings.storage.path)
            guard let account = try database.read({ try $0.account(email: email) }) else { throw ValidationError("no account \(email)") }
            print("email:            \(account.email)")
            print("name:             \(account.firstName) \(account.lastName)")
            print("uid:              \(account.uid)")
            print("status:           \(account.status.rawValue)\(account.locked ? " (locked)" : "")")
            print("e-mail language:  \(account.emailLanguage)")
            print("created:          \(account.createdAt.ISO8601Format())")
            print("failed sign-ins:  \(account.failedSignIns)")
            let sessions = try database.read { try $0.sessions(accountID: account.id) }
            print("sessions:         \(sessions.count)")
            for entry in try database.read({ try $0.auditEntries(accountID: account.id, limit: 20) }) {
                print("  \(entry.at.ISO8601Format()) \(entry.event) ip=\(entry.ip) \(entry.detail)")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account and end its sessions.")
        @OptionGroup var options: GlobalOptions
        @Argument var email: String
        func run() throws {
            try changeAccount(email, options) { store, account, dependencies in
                try store.setStatus(accountID: account.id, .disabled)
                // The services the account's sessions visited hear of it (a running `serve` or the next `maintenance` sends it).
                try SingleLogout(dependencies).enqueue(forAccount: account.id, in: store)
                try store.deleteSessions(accountID: account.id)
                try store.appendAudit(
                    event: "account_disabled", accountID: account.id, email: account.email, ip: "cli", userAgent: "appliance user disable",
                    at: SystemClock().now())
            }
            print("disabled \(email)")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account, its sessions and links.")
        @OptionGroup var options: GlobalOptions
        @Argument var email: String
        func run() throws {
            try changeAccount(email, options) { store, account, dependencies in
                try SingleLogout(dependencies).enqueue(forAccount: account.id, in: store)
                try store.appendAudit(
                    event: "account_deleted_by_operator", accountID: account.id, email: nil, ip: "cli", userAgent: "appliance user delete",
                    at: SystemClock().now())
                try store.deleteAccount(accountID: account.id)
            }
            print("deleted \(email)")
        }
    }
}

/// Runs `change` on the account with `email` in one write transaction, or fails naming the address.
private func changeAccount(_ email: String, _ options: GlobalOptions, _ change: (Store, Account, Dependencies) throws -> Void) throws {
    let dependencies = try Runtime.load(options, label: "user").dependencies
    try dependencies.database.write { store in
        guard let account = try store.account(email: email) else { throw ValidationError("no account \(email)") }
        try change(store, account, dependencies)
    }
}
