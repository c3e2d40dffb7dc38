import Cryptography

/// A hardware token as an import file describes it, checked: what `HardwareTokens.importTokens` stores.
public struct TokenDefinition: Sendable, Equatable {
    public var serial: String
    public var kind: HardwareTokens.Kind
    public var secret: [UInt8]
    public var digits: Int
    public var algorithm: OTPAlgorithm
    /// TOTP only: the time step in seconds.
    public var period: Int
    /// HOTP and counter-based OCRA: the next counter value the token will show.
    public var counter: UInt64
    public var ocraSuite: OCRASuite?

    /// Checks one token's fields; every problem, in the operator's words, when there are any.
    /// `type` is `hotp`, `totp` or an OCRA suite (`OCRA-1:…`); `digits` is the suite's for OCRA.
    public static func make(
        serial rawSerial: String, type: String, secret: [UInt8], digits: Int?, algorithm: OTPAlgorithm = .sha1, period: Int?,
        counter: UInt64?
    ) -> Result<TokenDefinition, Problems> {
        var problems: [String] = []
        let serial = HardwareTokens.normalize(serial: rawSerial)
        if serial.isEmpty {
            problems.append("the serial number is missing")
        } else if serial.count > 64 || !serial.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            problems.append("the serial number may only hold letters and digits (hyphens and spaces are ignored), at most 64")
        }
        // RFC 4226 requires at least 128 bits; 64 bytes is the longest HMAC key block we accept.
        if !(16...64).contains(secret.count) { problems.append("the secret must be 16 to 64 bytes long, not \(secret.count)") }
        var kind = HardwareTokens.Kind.hotp
        var suite: OCRASuite?
        var resolvedDigits = digits ?? 6
        var resolvedAlgorithm = algorithm
        switch type.lowercased() {
        case "hotp": kind = .hotp
        case "totp": kind = .totp
        default:
            kind = .ocra
            if let parsed = OCRASuite(type) {
                suite = parsed
                resolvedDigits = parsed.digits
                resolvedAlgorithm = parsed.algorithm
                if parsed.pinAlgorithm != nil || parsed.sessionLength != nil {
                    problems.append("the OCRA suite \(parsed.text) needs a PIN or session information, which sign-in cannot supply")
                }
                if digits.map({ $0 != parsed.digits }) ?? false {
                    problems.append("the digits (\(digits ?? 0)) differ from the OCRA suite's (\(parsed.digits))")
                }
            } else {
                problems.append("unknown token type \"\(type)\" (expected hotp, totp or an OCRA suite such as OCRA-1:HOTP-SHA1-6:QN08)")
            }
        }
        if !(6...8).contains(resolvedDigits) { problems.append("codes must have 6 to 8 digits, not \(resolvedDigits)") }
        let resolvedPeriod = period ?? 30
        if kind == .totp, !(1...600).contains(resolvedPeriod) { problems.append("the period must be 1 to 600 seconds") }
        if let counter, counter > UInt64(Int64.max) - 1000 { problems.append("the counter is too large") }
        guard problems.isEmpty else { return .failure(Problems(messages: problems)) }
        return .success(
            TokenDefinition(
                serial: serial, kind: kind, secret: secret, digits: resolvedDigits, algorithm: resolvedAlgorithm,
                period: kind == .totp ? resolvedPeriod : 30, counter: counter ?? 0, ocraSuite: suite))
    }

    /// Why a token's fields were refused.
    public struct Problems: Error, Sendable, Equatable {
        public var messages: [String]

        public init(messages: [String]) {
            self.messages = messages
        }
    }
}
