import Foundation

/// First and last names: required, letters of any alphabet with the usual joiners.
public enum PersonName {
    public static let maximumLength = 100

    public static func normalize(_ raw: String) -> String {
        raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= maximumLength else { return false }
        guard name.contains(where: { $0.isLetter }) else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || scalar.properties.generalCategory == .nonspacingMark
                || scalar.properties.generalCategory == .spacingMark || " -'’.".unicodeScalars.contains(scalar)
        }
    }
}
