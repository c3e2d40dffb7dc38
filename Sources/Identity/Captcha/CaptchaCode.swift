import Basics

/// The text of a CAPTCHA: generated from an alphabet without look-alike characters, checked in constant time.
public enum CaptchaCode {
    /// Upper-case letters and digits without look-alikes: none of 0 O Q 1 I L 2 Z 5 S 8 B, and no G so that
    /// 6 has no twin. Distortion cannot turn one into another; the image font draws exactly these.
    public static let alphabet: [Character] = Array("34679ACDEFHJKMNPRTUVWXY")

    /// A new code of `length` characters drawn uniformly from `alphabet`.
    public static func generate(length: Int = 6, random: some RandomSource) -> String {
        guard length > 0 else { return "" }
        return random.string(length: length, alphabet: alphabet)
    }

    /// Whether a typed `answer` is the `expected` code, ignoring case, spaces and hyphens.
    /// An empty expected code never matches, so a lost or expired code cannot be answered with nothing.
    public static func matches(answer: String, expected: String) -> Bool {
        let wanted = normalized(expected)
        guard !wanted.isEmpty else { return false }
        return ConstantTime.equals(normalized(answer), wanted)
    }

    /// People paste codes with separators and type them in either case.
    private static func normalized(_ text: String) -> String {
        String(text.uppercased().filter { !$0.isWhitespace && $0 != "-" })
    }
}
