import Basics
import Foundation

/// The HMAC hash of an OATH token: SHA-1 for authenticator apps and most tokens, SHA-256/512 for some.
public enum OTPAlgorithm: String, Sendable, CaseIterable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    public func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: HMAC.sha1(key: key, message: message)
        case .sha256: HMAC.sha256(key: key, message: message)
        case .sha512: HMAC.sha512(key: key, message: message)
        }
    }
}

/// HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1, -256 or -512, as authenticator apps and tokens compute them.
/// Pure functions: the secret, the time and the last accepted step come in, a verdict goes out.
public enum OneTimePassword {
    /// The code for `counter`: dynamic truncation of the HMAC, `digits` decimal digits.
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = 6, algorithm: OTPAlgorithm = .sha1) -> String {
        precondition((6...8).contains(digits))
        return truncate(algorithm.hmac(key: secret, message: bigEndian(counter)), digits: digits)
    }

    /// The eight big-endian bytes of a counter or time step, as every OATH algorithm feeds them to the HMAC.
    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(value >> UInt64(56 - 8 * $0) & 0xFF) }
    }

    /// RFC 4226 dynamic truncation to `digits` decimal digits (4–10, as OCRA allows).
    static func truncate(_ mac: [UInt8], digits: Int) -> String {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            UInt64(mac[offset] & 0x7F) << 24 | UInt64(mac[offset + 1]) << 16 | UInt64(mac[offset + 2]) << 8 | UInt64(mac[offset + 3])
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The code as typed, if it has exactly `digits` ASCII digits (spaces and hyphens between groups ignored).
    static func typedDigits(_ code: String, digits: Int) -> String? {
        let typed = code.filter { !$0.isWhitespace && $0 != "-" }
        guard typed.count == digits, typed.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return typed
    }

    /// The TOTP time step of `time` (T0 = 0).
    public static func step(at time: Date, period: Int = 30) -> UInt64 {
        UInt64(max(0, time.timeIntervalSince1970) / Double(period))
    }

    public static func totp(secret: [UInt8], at time: Date, digits: Int = 6, period: Int = 30, algorithm: OTPAlgorithm = .sha1) -> String {
        hotp(secret: secret, counter: step(at: time, period: period), digits: digits, algorithm: algorithm)
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
        code: String, secret: [UInt8], at time: Date, lastStep: UInt64?, window: UInt64 = 1, digits: Int = 6, period: Int = 30,
        algorithm: OTPAlgorithm = .sha1
    ) -> Verdict {
        guard let typed = typedDigits(code, digits: digits) else { return .rejected }
        let current = step(at: time, period: period)
        var matched: UInt64?
        for candidate in current - min(window, current)...current + window {
            let expected = hotp(secret: secret, counter: candidate, digits: digits, algorithm: algorithm)
            // Every step is computed and compared, so timing does not tell which one matched.
            if ConstantTime.equals(expected, typed), matched == nil { matched = candidate }
        }
        guard let matched else { return .rejected }
        if let lastStep, matched <= lastStep { return .replayed }
        return .accepted(step: matched)
    }
}
