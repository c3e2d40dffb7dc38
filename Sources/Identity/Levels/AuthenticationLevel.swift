import Storage

/// How strongly a session's owner proved who they are; services set the minimum they accept.
public enum AuthenticationLevel: String, Sendable, Comparable, CaseIterable {
    case password
    case twoFactor = "two-factor"
    case phishingResistant = "phishing-resistant"

    private var rank: Int {
        switch self {
        case .password: 0
        case .twoFactor: 1
        case .phishingResistant: 2
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// A way of verifying a sign-in, and the level it reaches. The raw values are the names pages, the audit log,
/// CAS's `authenticationMethod` and `acceptStrengths=` use.
public enum VerificationMethod: String, Sendable, CaseIterable {
    case password
    /// Password plus a code sent by SMS to a registered mobile phone number.
    case sms
    /// Password plus a code from a hardware OATH token (HOTP or TOTP), named by its serial number.
    case token
    /// Password plus the response of a challenge-response (OCRA) token to a challenge the page shows.
    case tokenCram = "token-cram"
    /// Password plus a code from an authenticator app (TOTP).
    case totp

    public var level: AuthenticationLevel {
        switch self {
        case .password: .password
        case .sms, .token, .tokenCram, .totp: .twoFactor
        }
    }

    /// Whether the password step's form carries a one-time code (`otp`) for this method.
    public var needsCode: Bool { self == .totp || self == .token }

    /// Whether the password step's form names a token by its serial number (`serial`).
    public var needsSerial: Bool { self == .token || self == .tokenCram }

    /// Whether the password step's form names one of the account's mobile phone numbers (`phone`).
    public var needsPhone: Bool { self == .sms }

    /// Whether the password step leads to a second page with a challenge (an SMS code, an OCRA challenge).
    public var hasChallengePage: Bool { self == .sms || self == .tokenCram }

    /// What a session started with this method records: the password and then any second factor.
    public var sessionMethods: [VerificationMethod] { self == .password ? [.password] : [.password, self] }

    /// The methods an account has set up that reach `minimumLevel`, in the order the page lists them.
    /// `enrolled` holds the second factors; the password is always there.
    public static func available(enrolled: Set<VerificationMethod>, minimumLevel: AuthenticationLevel) -> [VerificationMethod] {
        allCases.filter { ($0 == .password || enrolled.contains($0)) && $0.level >= minimumLevel }
    }
}
