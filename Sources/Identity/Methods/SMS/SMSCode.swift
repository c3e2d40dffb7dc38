import Basics

/// The codes sent by SMS, drawn from characters nobody confuses on a small screen or when typing them.
public enum SMSCode {
    /// Without 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B and U/V, nor G (read as 6): 20 characters, 4.3 bits each.
    public static let alphabet: [Character] = Array("34679ACEFHJKMNPRTWXY")

    /// What a code is for decides its length and how it is shown.
    public enum Kind: Sendable {
        /// 8 characters shown `XXXX-XXXX`.
        case addPhone
        /// 9 characters shown `XXX-XXX-XXX`.
        case signIn

        public var length: Int { self == .addPhone ? 8 : 9 }
        public var groupSize: Int { self == .addPhone ? 4 : 3 }
    }

    static func make(_ kind: Kind, random: any RandomSource) -> String {
        random.string(length: kind.length, alphabet: alphabet)
    }

    /// The code in blocks separated by hyphens, as the SMS shows it.
    public static func display(_ code: String, as kind: Kind) -> String {
        let characters = Array(code)
        return stride(from: 0, to: characters.count, by: kind.groupSize)
            .map { String(characters[$0..<min($0 + kind.groupSize, characters.count)]) }
            .joined(separator: "-")
    }

    /// What a person typed or pasted, in any case, with or without the hyphens and spaces.
    public static func normalize(_ typed: String) -> String {
        var code = typed.uppercased()
        code.unicodeScalars.removeAll { $0.properties.isWhitespace || $0 == "-" || $0 == "\u{2010}" || $0 == "\u{2013}" }
        return code
    }
}
