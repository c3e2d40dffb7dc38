import Foundation

/// E-mail address syntax as people type it: trimmed, one `@`, a dotted domain, no spaces or controls.
public enum EmailAddress {
    public static let maximumLength = 254

    public static func normalize(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func isValid(_ email: String) -> Bool {
        guard email.utf8.count <= maximumLength, !email.isEmpty else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else { return false }
        let forbidden: Set<Character> = [" ", "\t", "<", ">", "(", ")", "[", "]", "\\", ",", ";", ":", "\""]
        return !email.contains { forbidden.contains($0) || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }
    }
}
