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

/// A way of verifying a sign-in, and the level it reaches.
public enum VerificationMethod: String, Sendable, CaseIterable {
    case password
    /// Password plus a code from an authenticator app (TOTP).
    case totp

    public var level: AuthenticationLevel {
        switch self {
        case .password: .password
        case .totp: .twoFactor
        }
    }

    /// Whether the sign-in form needs the `otp` field for this method.
    public var needsCode: Bool { self == .totp }

    /// What a session started with this method records: the password and then any second factor.
    public var sessionMethods: [VerificationMethod] { self == .password ? [.password] : [.password, self] }

    /// The methods an account has set up that reach `minimumLevel`, in the order the page lists them.
    /// `enrolled` holds the second factors; the password is always there.
    public static func available(enrolled: Set<VerificationMethod>, minimumLevel: AuthenticationLevel) -> [VerificationMethod] {
        allCases.filter { ($0 == .password || enrolled.contains($0)) && $0.level >= minimumLevel }
    }
}
