import Basics

extension OneTimePassword {
    /// What a submitted HOTP code proves about a token whose next expected counter is known.
    public enum HOTPVerdict: Sendable, Equatable {
        /// The code matches; the token's next expected counter becomes `nextCounter`, and any pending resync is forgotten.
        case accepted(nextCounter: UInt64)
        /// The code matches far ahead, beyond the look-ahead window: not enough alone, because a guess
        /// succeeds there far more often; remember `counter` so that the code after it resynchronises.
        case resyncPending(counter: UInt64)
        /// The code is the one last accepted: already used.
        case replayed
        case rejected
    }

    /// Checks an HOTP `code` against the counters `counter..<counter+window`; beyond that, up to `resyncLimit`
    /// ahead, a match only starts a resynchronisation, which the code for the immediately following counter
    /// (`pendingResync + 1`) completes. Every candidate is computed and compared in constant time.
    public static func verifyHOTP(
        code: String, secret: [UInt8], counter: UInt64, pendingResync: UInt64?, digits: Int, algorithm: OTPAlgorithm,
        window: UInt64 = 10, resyncLimit: UInt64 = 200
    ) -> HOTPVerdict {
        guard let typed = typedDigits(code, digits: digits) else { return .rejected }
        func matches(_ candidate: UInt64) -> Bool {
            ConstantTime.equals(hotp(secret: secret, counter: candidate, digits: digits, algorithm: algorithm), typed)
        }
        if let pending = pendingResync, pending >= counter, pending < counter + resyncLimit, matches(pending + 1) {
            return .accepted(nextCounter: pending + 2)
        }
        var inWindow: UInt64?
        var ahead: UInt64?
        for candidate in counter..<counter + resyncLimit {
            guard matches(candidate) else { continue }
            if candidate < counter + window {
                inWindow = inWindow ?? candidate
            } else {
                ahead = ahead ?? candidate
            }
        }
        if let inWindow { return .accepted(nextCounter: inWindow + 1) }
        if counter > 0, matches(counter - 1) { return .replayed }
        if let ahead { return .resyncPending(counter: ahead) }
        return .rejected
    }
}
