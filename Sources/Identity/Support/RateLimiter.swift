import Foundation
import Storage

/// Fixed-window counters kept in the database, shared by every worker and process.
public struct RateLimit: Sendable {
    public var name: String
    public var limit: Int
    public var window: TimeInterval

    public init(name: String, limit: Int, window: TimeInterval) {
        self.name = name
        self.limit = limit
        self.window = window
    }

    /// E-mail step of the sign-in, per client IP.
    public static let emailStepPerIP = RateLimit(name: "email-step", limit: 60, window: 300)
    /// Failed passwords per client IP, whatever the account.
    public static let failedSignInPerIP = RateLimit(name: "failed-sign-in", limit: 30, window: 900)
    /// Registrations, lost-password and new-link requests per client IP (each sends a mail).
    public static let mailRequestPerIP = RateLimit(name: "mail-request", limit: 10, window: 3600)

    /// Text messages per client IP: each costs money.
    public static let smsPerIP = RateLimit(name: "sms-ip", limit: 20, window: 3600)
    /// Text messages per account, whichever client asks.
    public static let smsPerAccount = RateLimit(name: "sms-account", limit: 10, window: 3600)

    func bucket(_ key: String) -> String { "\(name):\(key)" }

    /// Counts one event; true when it is still within the limit.
    public func hit(_ key: String, in store: Store, at now: Date) throws -> Bool {
        try store.countRateLimitHit(bucket: bucket(key), window: window, at: now) <= limit
    }

    /// True when the limit is already reached, without counting.
    public func isExceeded(_ key: String, in store: Store, at now: Date) throws -> Bool {
        try store.rateLimitCount(bucket: bucket(key), window: window, at: now) >= limit
    }
}
