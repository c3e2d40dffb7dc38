import Basics
import Foundation

/// A reason a new password is refused; the raw value is the suffix of its locale key `password_rule_<raw>`.
public enum PasswordRule: String, Sendable, CaseIterable {
    case tooShort = "too_short"
    case tooLong = "too_long"
    case tooFewCharacterGroups = "too_few_character_groups"
    case containsEmail = "contains_email"
    case containsName = "contains_name"
    case leaked
}

/// The rules a new password must meet, checked on its NFKC form, plus a generator of passwords that meet them.
public struct PasswordPolicy: Sendable {
    public let minimumLength: Int
    public let maximumLength: Int
    /// How many of the four groups (upper case, lower case, digits, everything else) must appear.
    public let minimumGroups: Int

    /// Parts of an e-mail address or name shorter than this are too common to be worth refusing.
    static let minimumPersonalPartLength = 3

    public init(minimumLength: Int = 10, maximumLength: Int = 1024, minimumGroups: Int = 3) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.minimumGroups = minimumGroups
    }

    /// Unicode NFKC, so that look-alike forms (fullwidth, ligatures, composed or not) are one password.
    public static func normalize(_ s: String) -> String {
        // ASCII is already NFKC, and Foundation's normalisation costs microseconds per call.
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        return s.precomposedStringWithCompatibilityMapping
    }

    /// Every rule the password breaks, in `PasswordRule.allCases` order; empty means accepted.
    public func violations(
        of password: String, email: String, firstName: String, lastName: String,
        leaked: any LeakedPasswordChecking
    ) -> [PasswordRule] {
        let normalized = Self.normalize(password)
        let length = normalized.count
        var found: [PasswordRule] = []
        if length < minimumLength { found.append(.tooShort) }
        if length > maximumLength { found.append(.tooLong) }
        if Self.groupCount(normalized) < minimumGroups { found.append(.tooFewCharacterGroups) }
        let folded = normalized.lowercased()
        if Self.emailParts(email).contains(where: folded.contains) { found.append(.containsEmail) }
        if (Self.nameParts(firstName) + Self.nameParts(lastName)).contains(where: folded.contains) {
            found.append(.containsName)
        }
        if leaked.isLeaked(normalized) { found.append(.leaked) }
        return found
    }

    /// The character group of one character; letters without case (as in most scripts of Asia) count as "other".
    enum Group: CaseIterable {
        case upper, lower, digit, other

        init(_ character: Character) {
            if character.isUppercase {
                self = .upper
            } else if character.isLowercase {
                self = .lower
            } else if character.isWholeNumber {
                self = .digit
            } else {
                self = .other
            }
        }
    }

    static func groupCount(_ password: String) -> Int {
        Set(password.map(Group.init)).count
    }

    /// The local part of the address and its pieces between `.`, `+`, `_` and `-` (so "john.smith+sso" also
    /// yields "john" and "smith"), lower-cased, each at least three characters.
    static func emailParts(_ email: String) -> [String] {
        let address = normalize(email).lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        let local = address.split(separator: "@", omittingEmptySubsequences: false).dropLast().joined(separator: "@")
        let whole = local.isEmpty ? address : local
        return personalParts(whole, separators: ".+_-")
    }

    /// The name and its pieces between spaces and hyphens ("van der Berg" also yields "berg"), lower-cased.
    static func nameParts(_ name: String) -> [String] {
        personalParts(normalize(name).lowercased(), separators: "-")
    }

    private static func personalParts(_ text: String, separators: String) -> [String] {
        let whole = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let pieces = whole.split { $0.isWhitespace || separators.contains($0) }.map(String.init)
        return Array(Set([whole] + pieces)).filter { $0.count >= minimumPersonalPartLength }
    }
}
