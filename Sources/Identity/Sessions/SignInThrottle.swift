import Foundation

/// The growing delays and the lock that consecutive failed passwords earn an account.
/// Pure: failures in, verdict out; the caller stores it.
public struct SignInThrottle: Sendable {
    /// Failures allowed before any delay.
    public var freeFailures = 4
    /// The delay never grows beyond this.
    public var maximumDelay: TimeInterval = 1800
    /// Consecutive failures that lock the account (NIST SP 800-63B: at most 100).
    public var lockAfter = 30

    public init() {}

    /// After `failures` consecutive failures: how long to refuse attempts (nil = no delay) and whether to lock.
    public func verdict(afterFailures failures: Int, at now: Date) -> (throttledUntil: Date?, locked: Bool) {
        if failures >= lockAfter { return (nil, true) }
        guard failures > freeFailures else { return (nil, false) }
        let delay = min(maximumDelay, pow(2, Double(failures - freeFailures)))
        return (now.addingTimeInterval(delay), false)
    }

    /// The failure count at which the owner is warned by e-mail.
    public var warnAt: Int { freeFailures + 1 }
}
