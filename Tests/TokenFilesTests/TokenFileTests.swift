import Basics
import Cryptography
import Identity
import Testing
import TokenFiles

private let rfcSecret = Array("12345678901234567890".utf8)
private let rfcPreSharedKey = Hex.decode("12345678901234567890123456789012")!

private func parse(_ text: String, _ format: TokenFile.Format, key: [UInt8]? = nil, password: String? = nil) -> Result<
    [TokenDefinition], TokenDefinition.Problems
> {
    TokenFile.parse(Array(text.utf8), format: format, preSharedKey: key, password: password)
}

private func problems(_ result: Result<[TokenDefinition], TokenDefinition.Problems>) -> [String] {
    if case .failure(let problems) = result { return problems.messages }
    return []
}

@Test func plainPSKCFromRFC6030YieldsTheKnownSecret() throws {
    let tokens = try parse(RFC6030.plain, .pskc).get()
    #expect(tokens.count == 1)
    #expect(tokens[0].serial == "987654321" && tokens[0].kind == .hotp && tokens[0].digits == 8 && tokens[0].counter == 0)
    #expect(tokens[0].secret == rfcSecret)
}

@Test func preSharedKeyPSKCFromRFC6030DecryptsToTheKnownSecret() throws {
    let tokens = try parse(RFC6030.preSharedKey, .pskc, key: rfcPreSharedKey).get()
    #expect(tokens.map(\.secret) == [rfcSecret])
    #expect(problems(parse(RFC6030.preSharedKey, .pskc)).contains { $0.contains("--key") })
}

@Test func passwordBasedPSKCFromRFC6030DecryptsWithQwerty() throws {
    let tokens = try parse(RFC6030.passwordBased, .pskc, password: "qwerty").get()
    #expect(tokens.map(\.secret) == [rfcSecret])
    #expect(tokens.map(\.digits) == [8])
}

@Test func wrongPasswordOrKeyIsRefusedByTheMAC() {
    #expect(problems(parse(RFC6030.passwordBased, .pskc, password: "azerty")).contains { $0.contains("wrong key or password") })
    var wrongKey = rfcPreSharedKey
    wrongKey[0] ^= 1
    #expect(!problems(parse(RFC6030.preSharedKey, .pskc, key: wrongKey)).isEmpty)
    #expect(problems(parse(RFC6030.passwordBased, .pskc)).contains { $0.contains("--password") })
}

@Test func tamperedCiphertextFailsTheValueMAC() {
    let tampered = RFC6030.preSharedKey.replacingOccurrences(of: "AAECAwQFBgcICQoLDA0OD+cI", with: "AAECAwQFBgcICQoLDA0OD+cJ")
    #expect(problems(parse(tampered, .pskc, key: rfcPreSharedKey)).contains { $0.contains("ValueMAC does not match") })
    let badMAC = RFC6030.preSharedKey.replacingOccurrences(of: "Su+NvtQfmvfJzF6bmQiJqoLRExc=", with: "Tu+NvtQfmvfJzF6bmQiJqoLRExc=")
    #expect(problems(parse(badMAC, .pskc, key: rfcPreSharedKey)).contains { $0.contains("ValueMAC does not match") })
}

@Test func pskcTOTPAndOCRAKeysAreRecognised() throws {
    let totp = RFC6030.plain.replacingOccurrences(of: "pskc:hotp", with: "pskc:totp").replacingOccurrences(
        of: "<Counter>\n                    <PlainValue>0</PlainValue>\n                </Counter>",
        with: "<TimeInterval><PlainValue>60</PlainValue></TimeInterval>")
    let totpTokens = try parse(totp, .pskc).get()
    #expect(totpTokens.first?.kind == .totp && totpTokens.first?.period == 60)
    let ocra = RFC6030.plain.replacingOccurrences(of: "pskc:hotp", with: "pskc#OCRA-1:HOTP-SHA1-8:QN08")
    let ocraTokens = try parse(ocra, .pskc).get()
    #expect(ocraTokens.first?.kind == .ocra && ocraTokens.first?.ocraSuite?.text == "OCRA-1:HOTP-SHA1-8:QN08")
    let sha256 = RFC6030.plain.replacingOccurrences(
        of: "<ResponseFormat Length=\"8\"", with: "<Suite>HMAC-SHA256</Suite><ResponseFormat Length=\"8\"")
    #expect(try parse(sha256, .pskc).get().first?.algorithm == .sha256)
    let md5 = sha256.replacingOccurrences(of: "HMAC-SHA256", with: "HMAC-MD5")
    #expect(problems(parse(md5, .pskc)).contains { $0.contains("unsupported Suite") })
    let unknown = RFC6030.plain.replacingOccurrences(of: "pskc:hotp", with: "pskc:pin")
    #expect(problems(parse(unknown, .pskc)).contains { $0.hasPrefix("KeyPackage 1 (serial 987654321): unsupported key algorithm") })
}

@Test func malformedPSKCIsRefusedWithoutCrashing() {
    for text in ["<KeyContainer>", "<Other/>", "<KeyContainer/>", String(repeating: "<a>", count: 100)] {
        #expect(!problems(parse(text, .pskc)).isEmpty)
    }
    // Found by the fuzzer: inputs on which FoundationXML's parser crashed (a name that is not UTF-8, a bare processing instruction).
    let notUTF8 = Array("<KeyContainer xmlns=\"urn:x\"><Crypt".utf8) + [0xEF] + Array("ModuleInfo/></KeyContainer>".utf8)
    let bareInstruction = Array("<?TF-8?>\n\"<KEyCo".utf8) + [UInt8](repeating: 0, count: 8) + Array("i".utf8)
    for input in [notUTF8, bareInstruction] {
        #expect(
            TokenFile.parse(input, format: .pskc)
                == .failure(.init(messages: ["the file is not a PSKC key container (well-formed XML with a KeyContainer root)"])))
    }
}

@Test func csvListsEveryBadLineWithItsNumber() {
    let text = """
        serial,secret,type,digits,period
        # tokens delivered in May
        AB-12,3132333435363738393031323334353637383930,hotp,6,30
        AB-13,zz,hotp,6,30
        AB-14,3132333435363738393031323334353637383930,sms,6,30
        AB-15,3132333435363738393031323334353637383930,totp,9,30
        AB-16,3132333435363738393031323334353637383930
        AB 12,3132333435363738393031323334353637383930,totp,6,30
        """
    let found = problems(parse(text, .csv))
    #expect(found.contains { $0.hasPrefix("line 4: the secret is not hexadecimal") })
    #expect(found.contains { $0.hasPrefix("line 5: unknown token type") })
    #expect(found.contains { $0.hasPrefix("line 6: codes must have 6 to 8 digits") })
    #expect(found.contains { $0.hasPrefix("line 7: expected 5 or 6 fields") })
    #expect(found.contains { $0 == "serial AB12 appears more than once" })
    #expect(found.count == 5)
}

@Test func csvReadsHOTPWithCounterTOTPAndOCRA() throws {
    let text = """
        hw-0001,3132333435363738393031323334353637383930,hotp,8,,42
        HW 0002,3132333435363738393031323334353637383930,TOTP,6,60
        hw-0003,3132333435363738393031323334353637383930,OCRA-1:HOTP-SHA256-8:QN08,,
        """
    let tokens = try parse(text, .csv).get()
    #expect(tokens.map(\.serial) == ["HW0001", "HW0002", "HW0003"])
    #expect(tokens[0].counter == 42 && tokens[0].digits == 8)
    #expect(tokens[1].kind == .totp && tokens[1].period == 60)
    #expect(tokens[2].kind == .ocra && tokens[2].digits == 8 && tokens[2].algorithm == .sha256)
}

@Test func formatIsGuessedFromTheContent() {
    #expect(TokenFile.guessFormat(Array("\u{FEFF}  <?xml version=\"1.0\"?>".utf8)) == .pskc)
    #expect(TokenFile.guessFormat(Array("serial,secret\n".utf8)) == .csv)
}
