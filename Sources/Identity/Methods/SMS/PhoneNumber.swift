/// A mobile phone number in E.164 form (`+` and up to 15 digits), parsed from what a person typed.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// `+` followed by the country calling code and the national number, no spaces.
    public let e164: String

    /// Why a typed number was refused; each has its message.
    public enum Problem: Error, Sendable, Equatable {
        case missing
        /// Not starting with `+` and the country code.
        case noPlus
        /// Dots, brackets, hyphens, letters: anything but digits and spaces after the `+`.
        case characters
        /// A country code starting with 0.
        case countryCode
        /// Too few or too many digits for the country code (or for E.164).
        case length

        public var messageKey: String {
            switch self {
            case .missing: "error_phone_missing"
            case .noPlus: "error_phone_plus"
            case .characters: "error_phone_characters"
            case .countryCode: "error_phone_country"
            case .length: "error_phone_length"
            }
        }
    }

    public var description: String { e164 }

    /// Spaces (also non-breaking ones) are tolerated and removed; anything else must be a digit after the `+`.
    public static func parse(_ typed: String) -> Result<PhoneNumber, Problem> {
        var compact = typed
        compact.unicodeScalars.removeAll { $0.properties.isWhitespace }
        if compact.isEmpty { return .failure(.missing) }
        let isDigit = { (scalar: Unicode.Scalar) in ("0"..."9").contains(scalar) }
        guard compact.hasPrefix("+") else { return compact.unicodeScalars.allSatisfy(isDigit) ? .failure(.noPlus) : .failure(.characters) }
        let digits = String(compact.dropFirst())
        guard !digits.isEmpty, digits.unicodeScalars.allSatisfy(isDigit) else { return .failure(.characters) }
        if digits.hasPrefix("0") { return .failure(.countryCode) }
        guard digits.count <= 15 else { return .failure(.length) }
        if let (code, lengths) = CallingCodes.match(digits) {
            guard lengths.contains(digits.count - code.count) else { return .failure(.length) }
        } else if !CallingCodes.unknownTotalLength.contains(digits.count) {
            return .failure(.length)
        }
        return .success(PhoneNumber(e164: "+" + digits))
    }
}
