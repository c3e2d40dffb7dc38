import Basics
import Cryptography
import Foundation
import Testing

/// The ASCII secret of both RFCs' test vectors.
private let rfcSecret = Array("12345678901234567890".utf8)

@Test func hotpMatchesRFC4226AppendixD() {
    let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    for (counter, code) in expected.enumerated() {
        #expect(OneTimePassword.hotp(secret: rfcSecret, counter: UInt64(counter)) == code)
    }
}

@Test func totpMatchesRFC6238AppendixBForSHA1() {
    let vectors: [(TimeInterval, String)] = [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ]
    for (seconds, code) in vectors {
        #expect(OneTimePassword.totp(secret: rfcSecret, at: Date(timeIntervalSince1970: seconds), digits: 8) == code)
    }
}

@Test func totpAcceptsOneStepEitherSideAndNoMore() {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let step = OneTimePassword.step(at: now)
    for offset in [-1, 0, 1] {
        let code = OneTimePassword.hotp(secret: rfcSecret, counter: UInt64(Int(step) + offset))
        #expect(
            OneTimePassword.verifyTOTP(code: code, secret: rfcSecret, at: now, lastStep: nil)
                == .accepted(step: UInt64(Int(step) + offset)))
    }
    for offset in [-2, 2] {
        let code = OneTimePassword.hotp(secret: rfcSecret, counter: UInt64(Int(step) + offset))
        #expect(OneTimePassword.verifyTOTP(code: code, secret: rfcSecret, at: now, lastStep: nil) == .rejected)
    }
}

@Test func aCodeAtOrBeforeTheLastAcceptedStepIsReplayed() {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let step = OneTimePassword.step(at: now)
    let code = OneTimePassword.totp(secret: rfcSecret, at: now)
    #expect(OneTimePassword.verifyTOTP(code: code, secret: rfcSecret, at: now, lastStep: step) == .replayed)
    #expect(OneTimePassword.verifyTOTP(code: code, secret: rfcSecret, at: now, lastStep: step + 1) == .replayed)
    #expect(OneTimePassword.verifyTOTP(code: code, secret: rfcSecret, at: now, lastStep: step - 1) == .accepted(step: step))
}

@Test func malformedCodesAreRejected() {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    for code in ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦"] {
        #expect(OneTimePassword.verifyTOTP(code: code, secret: rfcSecret, at: now, lastStep: nil) == .rejected)
    }
}

@Test func base32RoundTripsAndMatchesRFC4648() {
    #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
    #expect(Base32.encode(Array("f".utf8)) == "MY")
    #expect(Base32.decode("mzxw 6ytb-oi======") == Array("foobar".utf8))
    #expect(Base32.decode("MZ1W") == nil)
    let bytes = (0..<20).map { UInt8($0 * 13 % 256) }
    #expect(Base32.decode(Base32.encode(bytes)) == bytes)
}

@Test func qrCodeRendersAsSVGAndPNG() throws {
    let code = try #require(QRCode("otpauth://totp/Example:a@example.org?secret=JBSWY3DPEHPK3PXP"))
    #expect(code.size >= 21 && code.size % 4 == 1)
    // The three finder patterns have dark corners.
    #expect(code.isDark(x: 0, y: 0) && code.isDark(x: code.size - 1, y: 0) && code.isDark(x: 0, y: code.size - 1))
    #expect(code.svg().hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    let png = code.png(scale: 2)
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
}
