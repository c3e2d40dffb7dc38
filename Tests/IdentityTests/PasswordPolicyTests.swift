import Identity
import TestSupport
import Testing

/// A leaked list held in memory, compared on the NFKC form like the file-backed one.
private struct InMemoryLeakedList: LeakedPasswordChecking {
    let passwords: Set<String>

    func isLeaked(_ password: String) -> Bool {
        passwords.contains(PasswordPolicy.normalize(password))
    }
}

private let policy = PasswordPolicy()

private func violations(
    _ password: String, email: String = "alice@example.org", firstName: String = "Alice",
    lastName: String = "Liddell", leaked: any LeakedPasswordChecking = EmptyLeakedPasswordList()
) -> [PasswordRule] {
    policy.violations(of: password, email: email, firstName: firstName, lastName: lastName, leaked: leaked)
}

/// The password policy rules and sample generator.
struct PasswordPolicyTests {
    @Test func defaultsAreTheDocumentedOnes() {
        #expect(policy.minimumLength == 10)
        #expect(policy.maximumLength == 1024)
        #expect(policy.minimumGroups == 3)
    }

    @Test func ruleRawValuesAreSnakeCaseLocaleKeySuffixes() {
        #expect(
            PasswordRule.allCases.map(\.rawValue) == [
                "too_short", "too_long", "too_few_character_groups", "contains_email", "contains_name", "leaked",
            ])
    }

    @Test func strongPasswordIsAccepted() {
        #expect(violations("Tr0ub4dor&3x").isEmpty)
    }

    @Test func passwordShorterThanTenCharactersIsTooShort() {
        #expect(violations("Tr0ub4dr&") == [.tooShort])
        #expect(violations("Tr0ub4dr&x").isEmpty)
    }

    @Test func lengthCountsCharactersNotBytes() {
        // Nine user-perceived characters, but far more than ten bytes and scalars.
        let nine = "Ab1" + String(repeating: "👍🏽", count: 6)
        #expect(nine.utf8.count > 10)
        #expect(violations(nine) == [.tooShort])
        #expect(violations(nine + "é").isEmpty)
    }

    @Test func longPasswordsAreAcceptedUpToTheMaximum() {
        #expect(violations(String(repeating: "Kq7#", count: 32)).isEmpty)  // 128
        #expect(violations(String(repeating: "Kq7#", count: 250)).isEmpty)  // 1000
        #expect(violations(String(repeating: "Kq7#", count: 256)).isEmpty)  // 1024
    }

    @Test func passwordOverTheMaximumIsTooLongAndNotTruncated() {
        let long = String(repeating: "Kq7#", count: 256) + "x"
        #expect(violations(long) == [.tooLong])
        // The leaked check sees the whole password, not a prefix.
        let leaked = InMemoryLeakedList(passwords: [long])
        #expect(violations(long, leaked: leaked) == [.tooLong, .leaked])
    }

    @Test func twoCharacterGroupsAreTooFew() {
        #expect(violations("abcdefgh1234") == [.tooFewCharacterGroups])
        #expect(violations("ABCDEFGH!!!!") == [.tooFewCharacterGroups])
        #expect(violations("abcdefgh12!!").isEmpty)
        #expect(violations("ABCDEFGH12ab").isEmpty)
    }

    @Test func whiteSpaceCountsAsASpecialCharacter() {
        #expect(violations("correct horse battery 9").isEmpty)
        #expect(violations("correcthorsebattery9") == [.tooFewCharacterGroups])
    }

    @Test func nonASCIILettersCountByTheirCase() {
        #expect(violations("Éléphant-ïlot").isEmpty)
        #expect(violations("ÉLÉPHANTÏLOT9") == [.tooFewCharacterGroups])
        // Letters without case count as "other", so these are two groups.
        #expect(violations("日本語のパスワード12345") == [.tooFewCharacterGroups])
        #expect(violations("日本語のパスワードAb123").isEmpty)
    }

    @Test func passwordContainingTheEmailLocalPartIsRejectedIgnoringCase() {
        #expect(violations("Xx-ALICE-2024!", firstName: "Bob", lastName: "Smith") == [.containsEmail])
        #expect(violations("Xx-ALICE-2024!", email: "carol@example.org", firstName: "Bob", lastName: "Smith").isEmpty)
    }

    @Test func emailLocalPartPiecesAreCheckedToo() {
        let email = "john.smith+sso@example.org"
        #expect(violations("Smith#Garden42", email: email, firstName: "Bob", lastName: "Jones") == [.containsEmail])
        #expect(violations("Garden#Party42", email: email, firstName: "Bob", lastName: "Jones").isEmpty)
    }

    @Test func shortEmailLocalPartIsIgnored() {
        #expect(violations("Jo-Secret-99!", email: "jo@example.org", firstName: "Bob", lastName: "Smith").isEmpty)
    }

    @Test func passwordContainingFirstOrLastNameIsRejected() {
        #expect(
            violations("Radium-marie-1", email: "mc@x.org", firstName: "Marie", lastName: "Curie") == [.containsName])
        #expect(
            violations("Radium-CURIE-1", email: "mc@x.org", firstName: "Marie", lastName: "Curie") == [.containsName])
        #expect(violations("Radium-Polon-1", email: "mc@x.org", firstName: "Marie", lastName: "Curie").isEmpty)
    }

    @Test func namesShorterThanThreeCharactersAreIgnored() {
        #expect(violations("Lights-On-2024", email: "x@y.org", firstName: "Bo", lastName: "Li").isEmpty)
    }

    @Test func partsOfCompoundNamesAreChecked() {
        let found = violations("Berg-Climber-7", email: "x@y.org", firstName: "Ann", lastName: "van der Berg")
        #expect(found == [.containsName])
    }

    @Test func leakedPasswordIsRejected() {
        let leaked = InMemoryLeakedList(passwords: ["Summer2024!!"])
        #expect(violations("Summer2024!!", leaked: leaked) == [.leaked])
        #expect(violations("Summer2025!!", leaked: leaked).isEmpty)
    }

    @Test func normalizeAppliesNFKC() {
        #expect(PasswordPolicy.normalize("Ｐａｓｓ１２３") == "Pass123")
        #expect(PasswordPolicy.normalize("ﬁre") == "fire")
        #expect(PasswordPolicy.normalize("e\u{301}").unicodeScalars.count == 1)
        #expect(PasswordPolicy.normalize("plain ascii!") == "plain ascii!")
    }

    @Test func fullwidthFormOfALeakedPasswordIsLeaked() {
        let leaked = InMemoryLeakedList(passwords: ["Summer2024!!"])
        #expect(violations("Ｓｕｍｍｅｒ２０２４！！", leaked: leaked) == [.leaked])
    }

    @Test func rulesAreCheckedOnTheNormalizedForm() {
        // Fullwidth letters fold to ASCII, so the name is found and the length is counted after folding.
        #expect(violations("Ｌｉｄｄｅｌｌ-2024", email: "x@y.org", firstName: "Bob") == [.containsName])
        #expect(violations("ﬃﬃﬃﬃ1A") == [])  // four ligatures become twelve letters
    }

    @Test func everyViolationIsReportedAtOnce() {
        let leaked = InMemoryLeakedList(passwords: ["alice"])
        #expect(
            violations("alice", leaked: leaked) == [
                .tooShort, .tooFewCharacterGroups, .containsEmail, .containsName, .leaked,
            ])
    }

    @Test func samplesSatisfyThePolicyForManySeeds() {
        let alphabet = Set("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+-=?@^_")
        for seed in UInt64(0)..<300 {
            let samples = policy.samples(random: SeededRandom(seed: seed))
            #expect(samples.count == 3)
            for sample in samples {
                #expect(sample.count == 14)
                #expect(sample.allSatisfy(alphabet.contains))
                #expect(sample.contains(where: \.isUppercase) && sample.contains(where: \.isLowercase))
                #expect(sample.contains(where: \.isNumber) && sample.contains { "!#$%&*+-=?@^_".contains($0) })
                #expect(violations(sample, email: "", firstName: "", lastName: "").isEmpty)
            }
        }
    }

    @Test func samplesRespectTheRequestedCountAndLengthBounds() {
        let random = SeededRandom(seed: 7)
        #expect(policy.samples(count: 0, random: random).isEmpty)
        #expect(policy.samples(count: 5, length: 4, random: random).allSatisfy { $0.count == 10 })
        #expect(policy.samples(count: 2, length: 40, random: random).allSatisfy { $0.count == 40 })
        let tight = PasswordPolicy(minimumLength: 4, maximumLength: 8)
        #expect(tight.samples(length: 30, random: random).allSatisfy { $0.count == 8 })
    }

    @Test func samplesAreRandomButRepeatableWithTheSameSeed() {
        let first = policy.samples(count: 10, random: SeededRandom(seed: 1))
        #expect(first == policy.samples(count: 10, random: SeededRandom(seed: 1)))
        #expect(first != policy.samples(count: 10, random: SeededRandom(seed: 2)))
        #expect(Set(first).count == 10)
    }
}
