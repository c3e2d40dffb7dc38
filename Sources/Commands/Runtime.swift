import ArgumentParser
import Basics
import Cryptography
import Foundation
import Identity
import Logging
import Storage
import Web

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the configuration file.")
    var config = "appliance.toml"
}

/// The running parts assembled from the configuration, shared by the subcommands.
struct Runtime {
    let settings: Settings
    let dependencies: Dependencies
    let renderer: PageRenderer
    let logger: Logger

    static func load(_ options: GlobalOptions, label: String) throws -> Runtime {
        Logs.bootstrap()
        let logger = Logger(label: label)
        let settings = try ConfigFile.load(options.config)
        let masterKey = try MasterKey.read(settings.storage.masterKey)
        let database = try AppDatabase.open(path: settings.storage.path)
        let renderer = try PageRenderer(templatesDirectory: settings.paths.templates, languages: settings.languages)
        let leaked: any LeakedPasswordChecking
        if FileManager.default.fileExists(atPath: settings.passwords.leakedList) {
            leaked = try LeakedPasswordList(contentsOf: URL(fileURLWithPath: settings.passwords.leakedList))
        } else {
            logger.warning(
                "leaked-password list missing; only the other password rules apply", metadata: ["path": "\(settings.passwords.leakedList)"])
            leaked = EmptyLeakedPasswordList()
        }
        let dependencies = Dependencies(
            settings: settings, clock: SystemClock(), random: SecureRandom(), database: database,
            hasher: PasswordHasher(), leakedPasswords: leaked, mailRenderer: renderer, masterKey: masterKey)
        return Runtime(settings: settings, dependencies: dependencies, renderer: renderer, logger: logger)
    }

    func mailTransport() throws -> any MailTransport {
        try MailTransports.make(url: settings.mail.transport, caFile: settings.mail.caFile)
    }

    /// Every outbox, in the order they are flushed: mail, SMS, then back-channel POSTs (CAS single logout).
    func outboxes() throws -> [any OutboxDelivering] {
        [
            MailDelivery(dependencies, transport: try mailTransport(), logger: logger),
            SMSDelivery(dependencies, transport: try SMSTransports.make(settings.sms), logger: logger),
            PostDelivery(dependencies, transport: HTTPTransport(caFile: settings.cas.caFile), logger: logger),
        ]
    }
}

/// The master key file: 32 random bytes, created by `init` with mode 0600.
enum MasterKey {
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path), data.count == 32 else {
            throw ValidationError("master key \(path) is missing or not 32 bytes; run `appliance init`")
        }
        return [UInt8](data)
    }

    static func create(_ path: String) throws {
        let bytes = SecureRandom().bytes(32)
        let created = FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        guard created else { throw ValidationError("cannot write master key \(path)") }
    }
}
