import Basics
import Cryptography
import TestSupport
import Testing

@Suite struct CryptographyTests {
    @Test func sha256MatchesTheStandardVector() {
        #expect(Hex.encode(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hmacSHA256MatchesRFC4231Case2() {
        let mac = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func secretBoxOpensWhatItSealedAndNothingElse() throws {
        let box = try #require(SecretBox(key: [UInt8](repeating: 1, count: 32)))
        let sealed = box.seal(Array("otp secret".utf8), associatedData: [9], random: SeededRandom())
        #expect(box.open(sealed, associatedData: [9]) == Array("otp secret".utf8))
        #expect(box.open(sealed, associatedData: [8]) == nil)
        var tampered = sealed
        tampered[14] ^= 1
        #expect(box.open(tampered, associatedData: [9]) == nil)
        let other = try #require(SecretBox(key: [UInt8](repeating: 2, count: 32)))
        #expect(other.open(sealed, associatedData: [9]) == nil)
        #expect(box.open([1, 2, 3]) == nil)
        #expect(SecretBox(key: [1]) == nil)
    }

    @Test func argon2idHashesVerifyOnlyTheRightPassword() {
        let hasher = PasswordHasher(parameters: .testing)
        let hash = hasher.hash("correct horse", salt: SeededRandom().bytes(16))
        #expect(hash.hasPrefix("$argon2id$v=19$m=64,t=1,p=1$"))
        #expect(hasher.verify("correct horse", against: hash))
        #expect(!hasher.verify("correct horsE", against: hash))
        #expect(!hasher.verify("correct horse", against: "not a hash"))
    }

    @Test func owaspParametersAreTheDefault() {
        let hash = PasswordHasher().hash("x", salt: [UInt8](repeating: 3, count: 16))
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
    }

    @Test func secureRandomGivesDistinctBytes() {
        let random = SecureRandom()
        #expect(random.bytes(32) != random.bytes(32))
        #expect(random.bytes(0).isEmpty)
    }
}
