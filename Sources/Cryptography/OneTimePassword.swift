import Basics
import Foundation

/// HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1, as authenticator apps compute them.
/// Pure functions: the secret, the time and the last accepted step come in, a verdict goes out.
public enum OneTimePassword {
    /// The code for `counter`: dynamic truncation of HMAC-SHA-1, `digits` decimal digits.
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = 6) -> String {
        precondition((6...8).contains(digits))
        let message = (0..<8).map { UInt8(counter >> UInt64(56 - 8 * $0) & 0xFF) }
        let mac = HMAC.sha1(key: secret, message: message)
        let offset = Int(mac[19] & 0x0F)
        let binary =
            UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The TOTP time step of `time` (T0 = 0).
    public static func step(at time: Date, period: Int = 30) -> UInt64 {
        UInt64(max(0, time.timeIntervalSince1970) / Double(period))
    }

    public static func totp(secret: [UInt8], at time: Date, digits: Int = 6, period: Int = 30) -> String {
        hotp(secret: secret, counter: step(at: time, period: period), digits: digits)
    }

    /// What a submitted TOTP code proves.
    public enum Verdict: Sendable, Equatable {
        /// The code matches this step, later than any accepted before: store it as the last accepted step.
        case accepted(step: UInt64)
        /// The code matches a step at or before the last accepted one: it was already used.
        case replayed
        case rejected
    }

    /// Checks `code` against the steps around `time` (±`window`), in constant time per step;
    /// a step at or before `lastStep` is a replay.
    public static func verifyTOTP(
        code: String, secret: [UInt8], at time: Date, lastStep: UInt64?, window: UInt64 = 1, digits: Int = 6, period: Int = 30
    ) -> Verdict {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return .rejected }
        let current = step(at: time, period: period)
        var matched: UInt64?
        for candidate in current - min(window, current)...current + window {
            let expected = hotp(secret: secret, counter: candidate, digits: digits)
            // Every step is computed and compared, so timing does not tell which one matched.
            if ConstantTime.equals(expected, typed), matched == nil { matched = candidate }
        }
        guard let matched else { return .rejected }
        if let lastStep, matched <= lastStep { return .replayed }
        return .accepted(step: matched)
    }
}
