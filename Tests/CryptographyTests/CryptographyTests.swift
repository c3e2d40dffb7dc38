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
        // The message read in place (a text's UTF-8) and copied first (a collection without contiguous storage).
        let key = HMACKey(Array("Jefe".utf8), algorithm: .sha256)
        #expect(key.authenticate("what do ya want for nothing?".utf8) == mac)
        #expect(key.authenticate(Array("what do ya want for nothing?".utf8).lazy.map { $0 }) == mac)
        #expect(Hex.encode(Digest.sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func digestsAndMACsMatchTheStandardVectorsWithEmptyInputsToo() {
        #expect(Hex.encode(Digest.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(HMAC.sha256(key: [], message: [UInt8]())) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        // RFC 2202 case 2 and RFC 4231 case 2.
        #expect(
            Hex.encode(HMAC.sha1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(
            Hex.encode(HMAC.sha512(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        )
    }

    /// One prepared key serves many messages, from many threads at once, each getting its own MAC.
    @Test func aPreparedKeyAuthenticatesEachMessageAlone() async {
        let key = HMACKey(Array("Jefe".utf8), algorithm: .sha256)
        let message = Array("what do ya want for nothing?".utf8)
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(Hex.encode(key.authenticate([UInt8]())) == Hex.encode(HMAC.sha256(key: Array("Jefe".utf8), message: [UInt8]())))
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    (0..<200).allSatisfy { round in
                        index % 2 == 0
                            ? Hex.encode(key.authenticate(message)) == expected
                            : key.authenticate(Array("\(index)-\(round)".utf8))
                                == HMAC.sha256(key: Array("Jefe".utf8), message: Array("\(index)-\(round)".utf8))
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
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

    /// Strings written by the reference implementation (`argon2id_hash_encoded`): ours must be byte-identical and
    /// verify, so that hashes stored before and after keep working.
    @Test func hashesAndVerifiesLikeTheReferenceImplementation() {
        let salt = Array(UInt8(0)..<16)
        let one = "$argon2id$v=19$m=64,t=1,p=1$AAECAwQFBgcICQoLDA0ODw$Jc5SM8weTTfpvKMb/vQXEOQERs0ctXWTJ5HF/TeAvTw"
        let two = "$argon2id$v=19$m=256,t=2,p=2$AAECAwQFBgcICQoLDA0ODw$HAB2pHKfsG5Ndk3yrTxVcf4fxxXhrmkEu54o2rE5R08"
        let short = "$argon2id$v=19$m=32,t=3,p=1$AQIDBAUGBwg$BCjEBeoga4HroND413Rvkg"
        #expect(PasswordHasher(parameters: .testing).hash("correct horse", salt: salt) == one)
        #expect(PasswordHasher(parameters: .init(memoryKiB: 256, iterations: 2, parallelism: 2)).hash("correct horse", salt: salt) == two)
        let hasher = PasswordHasher(parameters: .testing)
        for encoded in [one, two] {
            #expect(hasher.verify("correct horse", against: encoded))
            #expect(!hasher.verify("correct horsf", against: encoded))
        }
        #expect(hasher.verify("pässword", against: short) && !hasher.verify("password", against: short))
    }

    @Test func damagedOrForeignHashStringsNeverVerify() {
        let hasher = PasswordHasher(parameters: .testing)
        let good = "$argon2id$v=19$m=64,t=1,p=1$AAECAwQFBgcICQoLDA0ODw$Jc5SM8weTTfpvKMb/vQXEOQERs0ctXWTJ5HF/TeAvTw"
        let damaged = [
            good.replacingOccurrences(of: "argon2id", with: "argon2i"), good.replacingOccurrences(of: "v=19", with: "v=16"),
            good.replacingOccurrences(of: "m=64", with: "m=65"), good.replacingOccurrences(of: "t=1", with: "t=2"),
            good.replacingOccurrences(of: "m=64,t=1,p=1", with: "m=64,t=1,p=1,p=1"),
            good.replacingOccurrences(of: "m=64,t=1,p=1", with: "m=64,t=1"),
            good.replacingOccurrences(of: "m=64", with: "m=99999999999"), good.replacingOccurrences(of: "t=1", with: "t=1000"),
            good.replacingOccurrences(of: "p=1", with: "p=0"), good + "=", good + "$", String(good.dropLast()),
            good.replacingOccurrences(of: "$AAECAwQFBgcICQoLDA0ODw$", with: "$$"),
            good.replacingOccurrences(of: "$AAECAwQFBgcICQoLDA0ODw$", with: "$AAEC$"), "", "$", "$argon2id$v=19$m=64,t=1,p=1$$",
        ]
        for text in damaged { #expect(!hasher.verify("correct horse", against: text), "\(text)") }
    }

    @Test func argon2MemoryIsReusedAndReleasedWhenIdle() {
        let hasher = PasswordHasher(parameters: .testing, maxConcurrent: 2)
        let salt = Array(UInt8(0)..<16)
        let first = hasher.hash("a", salt: salt)
        #expect(hasher.hash("a", salt: salt) == first)
        #expect(hasher.releaseIdleMemory(unusedFor: .seconds(3600)) == 0)
        #expect(hasher.releaseIdleMemory(unusedFor: .zero) == 1)
        #expect(hasher.releaseIdleMemory(unusedFor: .zero) == 0)
        // A released block is used again, and its pages (zero again) change nothing.
        #expect(hasher.hash("a", salt: salt) == first && hasher.verify("a", against: first))
        // A stored hash with more memory than the hasher's own uses a block of its own.
        #expect(
            hasher.verify(
                "correct horse", against: "$argon2id$v=19$m=256,t=2,p=2$AAECAwQFBgcICQoLDA0ODw$HAB2pHKfsG5Ndk3yrTxVcf4fxxXhrmkEu54o2rE5R08")
        )
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
