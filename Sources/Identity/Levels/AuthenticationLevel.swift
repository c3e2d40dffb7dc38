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

    public var level: AuthenticationLevel {
        switch self {
        case .password: .password
        }
    }

    /// The methods an account can use that reach `minimumLevel`, in the order the page lists them.
    public static func available(for account: Account?, minimumLevel: AuthenticationLevel) -> [VerificationMethod] {
        allCases.filter { $0.level >= minimumLevel }
    }
}
