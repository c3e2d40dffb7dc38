import Basics

/// OCRA, the OATH challenge-response algorithm (RFC 6287): a token's response to a challenge,
/// and challenges to show. Pure functions; the caller keeps the counter and time.
public enum OCRA {
    /// The inputs besides the secret and the challenge; each is used only when the suite names it.
    public struct Inputs: Sendable {
        public var counter: UInt64
        /// The hash of the PIN (with the suite's PIN hash), when the suite takes one.
        public var pinHash: [UInt8]
        public var session: [UInt8]
        /// The time in steps of the suite's time step since the epoch.
        public var timeStep: UInt64

        public init(counter: UInt64 = 0, pinHash: [UInt8] = [], session: [UInt8] = [], timeStep: UInt64 = 0) {
            self.counter = counter
            self.pinHash = pinHash
            self.session = session
            self.timeStep = timeStep
        }
    }

    /// The response the token shows for `question`, or nil when the question does not fit the suite.
    public static func response(suite: OCRASuite, secret: [UInt8], question: String, inputs: Inputs = Inputs()) -> String? {
        guard let questionBytes = encode(question, as: suite) else { return nil }
        var message = Array(suite.text.utf8) + [0]
        if suite.usesCounter { message += OneTimePassword.bigEndian(inputs.counter) }
        message += questionBytes
        if let pin = suite.pinAlgorithm {
            guard inputs.pinHash.count == pin.digestLength else { return nil }
            message += inputs.pinHash
        }
        if let length = suite.sessionLength {
            guard inputs.session.count <= length else { return nil }
            // Shorter session information is padded in front, as the RFC's reference code does.
            message += [UInt8](repeating: 0, count: length - inputs.session.count) + inputs.session
        }
        if suite.timeStep != nil { message += OneTimePassword.bigEndian(inputs.timeStep) }
        return OneTimePassword.truncate(suite.algorithm.hmac(key: secret, message: message), digits: suite.digits)
    }

    /// A fresh challenge of the suite's full length in its format (digits for QN), for the token's keypad.
    public static func challenge(for suite: OCRASuite, random: some RandomSource) -> String {
        let alphabet: [Character] =
            switch suite.challengeFormat {
            case .numeric: Array("0123456789")
            case .alphanumeric: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            case .hexadecimal: Array("0123456789ABCDEF")
            }
        return random.string(length: suite.challengeLength, alphabet: alphabet)
    }

    /// The 128-byte question field: the challenge as a big-endian hexadecimal string (numbers converted from
    /// decimal, text as its ASCII bytes), padded with zero nibbles on the right (RFC 6287 §5.1). In mutual
    /// mode the question is the client's and the server's challenges together, so up to twice the suite's length.
    static func encode(_ question: String, as suite: OCRASuite) -> [UInt8]? {
        guard (1...2 * suite.challengeLength).contains(question.count), question.allSatisfy(\.isASCII) else { return nil }
        var nibbles: [UInt8]
        switch suite.challengeFormat {
        case .numeric:
            guard let digits = decimalDigits(question) else { return nil }
            nibbles = hexNibbles(ofDecimal: digits)
        case .alphanumeric:
            guard question.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
            nibbles = question.utf8.flatMap { [$0 >> 4, $0 & 0x0F] }
        case .hexadecimal:
            let values = question.utf8.map(Hex.nibble)
            guard values.allSatisfy({ $0 != nil }) else { return nil }
            nibbles = values.compactMap { $0 }
        }
        guard nibbles.count <= 256 else { return nil }
        nibbles += [UInt8](repeating: 0, count: 256 - nibbles.count)
        return stride(from: 0, to: 256, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    private static func decimalDigits(_ text: String) -> [UInt8]? {
        let digits = text.utf8.map { $0 &- 0x30 }
        return digits.allSatisfy { $0 < 10 } ? digits : nil
    }

    /// A decimal number of up to 64 digits in hexadecimal, most significant nibble first, without leading zeros
    /// ("0" for zero), by long division by 16.
    private static func hexNibbles(ofDecimal decimal: [UInt8]) -> [UInt8] {
        var number = Array(decimal.drop { $0 == 0 })
        var reversed: [UInt8] = []
        while !number.isEmpty {
            var quotient: [UInt8] = []
            var remainder = 0
            for digit in number {
                let value = remainder * 10 + Int(digit)
                if !quotient.isEmpty || value >= 16 { quotient.append(UInt8(value / 16)) }
                remainder = value % 16
            }
            reversed.append(UInt8(remainder))
            number = quotient
        }
        return reversed.isEmpty ? [0] : reversed.reversed()
    }
}

extension OTPAlgorithm {
    /// The digest's length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }
}
