import Basics
import Cryptography
import FastCGI
import Foundation
import Identity
import Logging
import Storage
import Web

/// A complete appliance in memory: fixed clock, seeded random, fresh in-memory database,
/// the real templates, and cheap password hashing.
public struct TestHarness: Sendable {
    public let clock: FixedClock
    public let random: SeededRandom
    public let database: AppDatabase
    public let dependencies: Dependencies
    public let app: WebApp

    /// The repository's folder, found from this file's path.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static func make(configure: (inout Settings) -> Void = { _ in }, leaked: [String] = ["Password123!"]) async throws -> TestHarness
    {
        var settings = Settings()
        settings.server.baseURL = "https://login.example.org"
        settings.registration.captcha = false
        settings.paths.templates = repositoryRoot + "/templates"
        settings.languages = ["en"]
        configure(&settings)
        let clock = FixedClock()
        let random = SeededRandom()
        let database = try AppDatabase.inMemory()
        let renderer = try PageRenderer(templatesDirectory: settings.paths.templates, languages: settings.languages)
        let dependencies = Dependencies(
            settings: settings, clock: clock, random: random, database: database,
            hasher: PasswordHasher(parameters: .testing), leakedPasswords: FixedLeakedList(leaked), mailRenderer: renderer,
            masterKey: [UInt8](repeating: 7, count: 32))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return TestHarness(
            clock: clock, random: random, database: database, dependencies: dependencies,
            app: WebApp(dependencies: dependencies, renderer: renderer, logger: logger))
    }

    public var client: ClientInfo { ClientInfo(ip: "192.0.2.1", userAgent: "tests") }

    /// Every queued or sent message as text.
    public func mails() throws -> [String] {
        try database.read { try $0.allOutboxMessages() }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The first `https://…token=…` link in the newest message to `address`.
    public func link(inMailTo address: String) throws -> String? {
        guard let message = try database.read({ try $0.allOutboxMessages(recipient: address) }).last else { return nil }
        let text = String(decoding: message, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(
            of: "=3D", with: "=")
        guard let range = text.range(of: #"https://login\.example\.org/[a-z/]+\?token=[A-Za-z0-9_-]+"#, options: .regularExpression) else {
            return nil
        }
        return String(text[range])
    }

    /// Creates an active account with `password`, as `appliance user add` does.
    public func makeAccount(email: String, password: String, firstName: String = "Ada", lastName: String = "Lovelace") throws -> Account {
        let hash = dependencies.hasher.hash(PasswordPolicy.normalize(password), salt: random.bytes(16))
        let now = clock.now()
        return try database.write {
            try $0.createAccount(
                NewAccount(
                    uid: random.token(byteCount: 8), email: email, firstName: firstName, lastName: lastName, emailLanguage: "en",
                    passwordHash: hash, status: .active),
                at: now)
        }
    }
}

/// A leaked-password list given in the test.
public struct FixedLeakedList: LeakedPasswordChecking {
    let passwords: Set<String>
    public init(_ passwords: [String]) { self.passwords = Set(passwords) }
    public func isLeaked(_ password: String) -> Bool { passwords.contains(password) }
}
