import Foundation
import Identity
import TestSupport
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+32 470 12 34 56", "+32470123456"),
        ("+32470123456", "+32470123456"),
        (" +1 415 555 2671 ", "+14155552671"),
        ("+1 613 555 0100", "+16135550100"),
        ("+44 7911 123456", "+447911123456"),
        ("+41 79 123 45 67", "+41791234567"),
        ("+49 1512 3456789", "+4915123456789"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+352 621 123 456", "+352621123456"),
        ("+353 85 123 4567", "+353851234567"),
        ("+47 412 34 567", "+4741234567"),
        ("+91 98765 43210", "+919876543210"),
        ("+32\u{00A0}470\u{00A0}12\u{00A0}34\u{00A0}56", "+32470123456"),
        // A code the table does not know: any total of 8 to 15 digits.
        ("+999 1234 5678", "+99912345678"),
    ])
    func validNumbersBecomeE164(typed: String, expected: String) throws {
        #expect(try PhoneNumber.parse(typed).get().e164 == expected)
    }

    @Test(arguments: [
        ("", PhoneNumber.Problem.missing),
        ("   ", .missing),
        ("0470 12 34 56", .noPlus),
        ("0032 470 12 34 56", .noPlus),
        ("+32.470.12.34.56", .characters),
        ("+32 (0) 470 12 34 56", .characters),
        ("+32-470-12-34-56", .characters),
        ("+32 470 12 34 5six", .characters),
        ("(+32) 470 12 34 56", .characters),
        ("+", .characters),
        ("+0032 470 12 34 56", .countryCode),
        ("+1 415 555 267", .length),
        ("+1 415 555 26711", .length),
        ("+32 470 12 34 56 7", .length),
        ("+32 47 12 34", .length),
        ("+33 6 12 34 56 7", .length),
        ("+999 123 4", .length),
        ("+999 1234 5678 9012 3", .length),
    ])
    func badNumbersAreRefusedWithTheirReason(typed: String, problem: PhoneNumber.Problem) {
        #expect(throws: problem) { try PhoneNumber.parse(typed).get() }
    }

    @Test func everyProblemHasAMessageInEveryLanguage() throws {
        let problems: [PhoneNumber.Problem] = [.missing, .noPlus, .characters, .countryCode, .length]
        #expect(Set(problems.map(\.messageKey)).count == problems.count)
        for language in ["en", "fr", "de"] {
            let url = URL(fileURLWithPath: TestHarness.repositoryRoot + "/templates/locales/\(language).json")
            let catalog = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: String] ?? [:]
            for problem in problems { #expect(catalog[problem.messageKey] != nil, "\(language): \(problem.messageKey)") }
        }
    }
}

@Suite struct SMSCodeTests {
    @Test func theAlphabetHasNoLookAlikes() {
        for character in "0OQD1IL2Z5S8BGUV" { #expect(!SMSCode.alphabet.contains(character), "\(character)") }
        #expect(Set(SMSCode.alphabet).count == SMSCode.alphabet.count)
        #expect(SMSCode.alphabet.count >= 20)
    }

    @Test func codesAreShownInBlocks() {
        #expect(SMSCode.display("ACEFHJKM", as: .addPhone) == "ACEF-HJKM")
        #expect(SMSCode.display("ACEFHJKMN", as: .signIn) == "ACE-FHJ-KMN")
        #expect(SMSCode.Kind.addPhone.length == 8)
        #expect(SMSCode.Kind.signIn.length == 9)
    }

    @Test func typedCodesAreNormalised() {
        #expect(SMSCode.normalize(" acef-hjkm ") == "ACEFHJKM")
        #expect(SMSCode.normalize("ace fhj\u{2013}kmn") == "ACEFHJKMN")
        #expect(SMSCode.normalize("ACEFHJKM") == "ACEFHJKM")
    }
}
