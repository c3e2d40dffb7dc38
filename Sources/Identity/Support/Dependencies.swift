import Basics
import Cryptography
import Foundation
import Storage

/// Everything a domain service needs from the outside world, injected in one value so that
/// tests can substitute the clock, the random source, the database and the mail renderer.
public struct Dependencies: Sendable {
    public var settings: Settings
    public var clock: any WallClock
    public var random: any RandomSource
    public var database: AppDatabase
    public var hasher: PasswordHasher
    public var leakedPasswords: any LeakedPasswordChecking
    public var mailRenderer: any MailRendering
    /// Derives the keys used for CSRF tokens and other MACs.
    public var masterKey: [UInt8]
    /// The registered services in force (`settings.services` as reloaded on SIGHUP).
    public let services: ServiceDirectory
    /// Calls CAS proxy callbacks.
    public var callbacks: any CallbackTransport

    public init(
        settings: Settings, clock: any WallClock, random: any RandomSource, database: AppDatabase,
        hasher: PasswordHasher, leakedPasswords: any LeakedPasswordChecking, mailRenderer: any MailRendering,
        masterKey: [UInt8], callbacks: (any CallbackTransport)? = nil
    ) {
        self.settings = settings
        self.clock = clock
        self.random = random
        self.database = database
        self.hasher = hasher
        self.leakedPasswords = leakedPasswords
        self.mailRenderer = mailRenderer
        self.masterKey = masterKey
        services = ServiceDirectory(settings.services)
        self.callbacks = callbacks ?? HTTPTransport(caFile: settings.cas.caFile)
    }

    /// A key for one purpose, derived from the master key so that purposes never share a key.
    public func subkey(_ purpose: String) -> [UInt8] {
        HMAC.sha256(key: masterKey, message: Array("login-appliance/\(purpose)".utf8))
    }
}

/// SHA-256 of a secret token: what the database stores instead of the token.
public func tokenHash(_ token: String) -> [UInt8] {
    Digest.sha256(token)
}
