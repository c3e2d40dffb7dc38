/// An OCRA suite (RFC 6287 §6), such as `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1`: which hash, how many digits,
/// and which inputs the token mixes into its response.
public struct OCRASuite: Sendable, Equatable {
    /// How the token's keypad reads the challenge.
    public enum ChallengeFormat: Character, Sendable {
        case numeric = "N"
        case alphanumeric = "A"
        case hexadecimal = "H"
    }

    /// The suite exactly as written, upper-case: it is itself part of the HMAC input.
    public let text: String
    public let algorithm: OTPAlgorithm
    public let digits: Int
    public let usesCounter: Bool
    public let challengeFormat: ChallengeFormat
    /// The longest challenge the token accepts (4–64 characters).
    public let challengeLength: Int
    /// The hash of the PIN the token mixes in, when it takes one.
    public let pinAlgorithm: OTPAlgorithm?
    /// The number of session-information bytes, when the suite takes them.
    public let sessionLength: Int?
    /// The time step in seconds, when the suite includes the time.
    public let timeStep: Int?

    public init?(_ suite: String) {
        let text = suite.uppercased()
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "OCRA-1" else { return nil }
        let function = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        guard function.count == 3, function[0] == "HOTP", let algorithm = OTPAlgorithm(rawValue: String(function[1])),
            function[2].count <= 2, let digits = Int(function[2]), (4...10).contains(digits)
        else { return nil }
        var inputs = parts[2].split(separator: "-", omittingEmptySubsequences: false)[...]
        let usesCounter = inputs.first == "C"
        if usesCounter { inputs = inputs.dropFirst() }
        guard let question = inputs.popFirst(), question.count == 4, question.first == "Q",
            let format = ChallengeFormat(rawValue: question[question.index(after: question.startIndex)]),
            let length = Int(question.suffix(2)), (4...64).contains(length)
        else { return nil }
        var pinAlgorithm: OTPAlgorithm?
        if let pin = inputs.first, pin.first == "P" {
            guard let hash = OTPAlgorithm(rawValue: String(pin.dropFirst())) else { return nil }
            pinAlgorithm = hash
            inputs = inputs.dropFirst()
        }
        var sessionLength: Int?
        if let session = inputs.first, session.first == "S" {
            guard session.count == 4, let bytes = Int(session.dropFirst()), bytes > 0 else { return nil }
            sessionLength = bytes
            inputs = inputs.dropFirst()
        }
        var timeStep: Int?
        if let time = inputs.first, time.first == "T" {
            guard let step = Self.seconds(time.dropFirst()) else { return nil }
            timeStep = step
            inputs = inputs.dropFirst()
        }
        guard inputs.isEmpty else { return nil }
        self.text = text
        self.algorithm = algorithm
        self.digits = digits
        self.usesCounter = usesCounter
        self.challengeFormat = format
        self.challengeLength = length
        self.pinAlgorithm = pinAlgorithm
        self.sessionLength = sessionLength
        self.timeStep = timeStep
    }

    /// `1M`, `30S`, `2H`: the time step's length in seconds (RFC 6287 allows 1–59 S, 1–59 M, 0–48 H).
    private static func seconds(_ text: Substring) -> Int? {
        guard let unit = text.last, let count = Int(text.dropLast()), text.count <= 3 else { return nil }
        switch unit {
        case "S" where (1...59).contains(count): return count
        case "M" where (1...59).contains(count): return count * 60
        case "H" where (1...48).contains(count): return count * 3600
        default: return nil
        }
    }
}
