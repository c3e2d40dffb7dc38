import Basics
import Cryptography
import TestSupport
import Testing

/// The RFC 6287 appendix C keys: "1234567890" repeated to 20, 32 and 64 bytes.
private func key(_ count: Int) -> [UInt8] { Array(String(repeating: "1234567890", count: 7).utf8.prefix(count)) }
/// SHA-1 of the PIN "1234".
private let pinHash = Hex.decode("7110eda4d09e062aa5e4a390b0a572ac0d2c0220")!
private let rfcTime: UInt64 = 0x132d0b6

private func expectVectors(
    _ suiteText: String, key: [UInt8], _ vectors: [(String, String)], counters: Bool = false, pin: Bool = false, time: Bool = false
) throws {
    let suite = try #require(OCRASuite(suiteText))
    for (index, (question, expected)) in vectors.enumerated() {
        let inputs = OCRA.Inputs(
            counter: counters ? UInt64(index) : 0, pinHash: pin ? pinHash : [], timeStep: time ? rfcTime : 0)
        #expect(OCRA.response(suite: suite, secret: key, question: question, inputs: inputs) == expected, "\(suiteText) \(question)")
    }
}

private let numericQuestions = (0...9).map { String(repeating: String($0), count: 8) }

@Test func ocraOneWayMatchesRFC6287AppendixC1() throws {
    try expectVectors(
        "OCRA-1:HOTP-SHA1-6:QN08", key: key(20),
        Array(zip(numericQuestions, ["237653", "243178", "653583", "740991", "608993", "388898", "816933", "224598", "750600", "294470"])))
    let withCounter = [
        "65347737", "86775851", "78192410", "71565254", "10104329", "65983500", "70069104", "91771096", "75011558", "08522129",
    ]
    try expectVectors(
        "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: key(32), withCounter.map { ("12345678", $0) }, counters: true, pin: true)
    try expectVectors(
        "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key: key(32),
        Array(zip(numericQuestions, ["83238735", "01501458", "17957585", "86776967", "86807031"])), pin: true)
    try expectVectors(
        "OCRA-1:HOTP-SHA512-8:C-QN08", key: key(64),
        Array(
            zip(
                numericQuestions,
                ["07016083", "63947962", "70123924", "25341727", "33203315", "34205738", "44343969", "51946085", "20403879", "31409299"])),
        counters: true)
    try expectVectors(
        "OCRA-1:HOTP-SHA512-8:QN08-T1M", key: key(64),
        Array(zip(numericQuestions, ["95209754", "55907591", "22048402", "24218844", "36209546"])), time: true)
}

@Test func ocraMutualMatchesRFC6287AppendixC2() throws {
    try expectVectors(
        "OCRA-1:HOTP-SHA256-8:QA08", key: key(32),
        [
            ("CLI22220SRV11110", "28247970"), ("CLI22221SRV11111", "01984843"), ("CLI22222SRV11112", "65387857"),
            ("CLI22223SRV11113", "03351211"), ("CLI22224SRV11114", "83412541"), ("SRV11110CLI22220", "15510767"),
            ("SRV11111CLI22221", "90175646"), ("SRV11112CLI22222", "33777207"), ("SRV11113CLI22223", "95285278"),
            ("SRV11114CLI22224", "28934924"),
        ])
    try expectVectors(
        "OCRA-1:HOTP-SHA512-8:QA08", key: key(64),
        [
            ("CLI22220SRV11110", "79496648"), ("CLI22221SRV11111", "76831980"), ("CLI22222SRV11112", "12250499"),
            ("CLI22223SRV11113", "90856481"), ("CLI22224SRV11114", "12761449"),
        ])
    try expectVectors(
        "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", key: key(64),
        [
            ("SRV11110CLI22220", "18806276"), ("SRV11111CLI22221", "70020315"), ("SRV11112CLI22222", "01600026"),
            ("SRV11113CLI22223", "18951020"), ("SRV11114CLI22224", "32528969"),
        ], pin: true)
}

@Test func ocraSignatureMatchesRFC6287AppendixC3() throws {
    try expectVectors(
        "OCRA-1:HOTP-SHA256-8:QA08", key: key(32),
        [("SIG10000", "53095496"), ("SIG11000", "04110475"), ("SIG12000", "31331128"), ("SIG13000", "76028668"), ("SIG14000", "46554205")])
    try expectVectors(
        "OCRA-1:HOTP-SHA512-8:QA10-T1M", key: key(64),
        [
            ("SIG1000000", "77537423"), ("SIG1100000", "31970405"), ("SIG1200000", "10235557"), ("SIG1300000", "95213541"),
            ("SIG1400000", "65360607"),
        ], time: true)
}

@Test func ocraSuitesAreParsedIntoTheirInputs() throws {
    let suite = try #require(OCRASuite("OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1"))
    #expect(suite.algorithm == .sha256 && suite.digits == 8 && suite.usesCounter && suite.challengeFormat == .numeric)
    #expect(suite.challengeLength == 8 && suite.pinAlgorithm == .sha1 && suite.sessionLength == nil && suite.timeStep == nil)
    let timed = try #require(OCRASuite("ocra-1:hotp-sha512-8:qn08-t1m"))
    #expect(timed.text == "OCRA-1:HOTP-SHA512-8:QN08-T1M" && timed.timeStep == 60 && !timed.usesCounter)
    let session = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QH40-S064-T30S"))
    #expect(session.challengeFormat == .hexadecimal && session.sessionLength == 64 && session.timeStep == 30)
    for bad in [
        "OCRA-2:HOTP-SHA1-6:QN08", "OCRA-1:HOTP-MD5-6:QN08", "OCRA-1:HOTP-SHA1-3:QN08", "OCRA-1:HOTP-SHA1-6:QN99",
        "OCRA-1:HOTP-SHA1-6:QX08", "OCRA-1:HOTP-SHA1-6:C", "OCRA-1:HOTP-SHA1-6:QN08-T61M", "OCRA-1:HOTP-SHA1-6:QN08-X",
        "OCRA-1:HOTP-SHA1-6", "",
    ] {
        #expect(OCRASuite(bad) == nil, "\(bad)")
    }
}

@Test func ocraRefusesQuestionsThatDoNotFitTheSuite() throws {
    let suite = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QN08"))
    #expect(OCRA.response(suite: suite, secret: key(20), question: "12345678901234567") == nil)
    #expect(OCRA.response(suite: suite, secret: key(20), question: "1234567A") == nil)
    #expect(OCRA.response(suite: suite, secret: key(20), question: "") == nil)
    let pinSuite = try #require(OCRASuite("OCRA-1:HOTP-SHA256-8:QN08-PSHA1"))
    #expect(OCRA.response(suite: pinSuite, secret: key(32), question: "12345678") == nil)
}

@Test func ocraChallengesHaveTheSuitesLengthAndAlphabet() throws {
    let random = SeededRandom(seed: 7)
    let numeric = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QN12"))
    for _ in 0..<20 {
        let challenge = OCRA.challenge(for: numeric, random: random)
        #expect(challenge.count == 12 && challenge.allSatisfy { $0.isASCII && $0.isNumber })
        #expect(OCRA.response(suite: numeric, secret: key(20), question: challenge)?.count == 6)
    }
    let hex = try #require(OCRASuite("OCRA-1:HOTP-SHA1-6:QH10"))
    let hexChallenge = OCRA.challenge(for: hex, random: random)
    #expect(hexChallenge.count == 10 && hexChallenge.allSatisfy { $0.isHexDigit })
}
