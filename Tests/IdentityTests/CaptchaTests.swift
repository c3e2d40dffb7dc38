import Basics
import Cryptography
import Foundation
import TestSupport
import Testing

@testable import Identity

// MARK: - Code

@Test func generatedCodesUseOnlyTheAlphabetAndTheRequestedLength() {
    let random = SeededRandom(seed: 7)
    var seen = Set<Character>()
    for length in [1, 6, 10] {
        for _ in 0..<200 {
            let code = CaptchaCode.generate(length: length, random: random)
            #expect(code.count == length)
            #expect(code.allSatisfy(CaptchaCode.alphabet.contains))
            seen.formUnion(code)
        }
    }
    #expect(seen == Set(CaptchaCode.alphabet))
    #expect(CaptchaCode.generate(random: random).count == 6)
}

@Test func aZeroOrNegativeLengthGivesAnEmptyCode() {
    #expect(CaptchaCode.generate(length: 0, random: SeededRandom()) == "")
    #expect(CaptchaCode.generate(length: -3, random: SeededRandom()) == "")
}

@Test func alphabetHasNoLookAlikesNoDuplicatesAndAGlyphForEachCharacter() {
    let alphabet = CaptchaCode.alphabet
    #expect(Set(alphabet).count == alphabet.count)
    #expect(alphabet.count >= 20)
    for lookAlike in "0OQ1IL5S2Z8BGabcdefghijklmnopqrstuvwxyz" {
        #expect(!alphabet.contains(lookAlike), "\(lookAlike)")
    }
    for character in alphabet {
        #expect(CaptchaFont.strokes(for: character) != nil, "\(character)")
    }
    #expect(CaptchaFont.strokes(for: "0") == nil)
}

@Test func matchingIgnoresCaseSpacesAndHyphens() {
    for answer in ["K7PWX3", "k7pwx3", "K7p-Wx3", " k7p wx3 ", "K7P-WX3", "k 7 p - w x 3", "K7P\tWX3"] {
        #expect(CaptchaCode.matches(answer: answer, expected: "K7PWX3"), "\(answer)")
    }
    #expect(CaptchaCode.matches(answer: "k7pwx3", expected: "k7pwx3"))
}

@Test func matchingRejectsWrongShortLongAndEmptyAnswers() {
    for answer in ["K7PWX4", "K7PWX", "K7PWX33", "", "   ", "3XWP7K", "K7PWX3\u{0}", "K7PWX3.", "K7P_WX3"] {
        #expect(!CaptchaCode.matches(answer: answer, expected: "K7PWX3"), "\(answer)")
    }
}

@Test func anEmptyExpectedCodeMatchesNothing() {
    #expect(!CaptchaCode.matches(answer: "", expected: ""))
    #expect(!CaptchaCode.matches(answer: " - ", expected: " "))
}

// MARK: - Image

@Test func pngHasTheSignatureValidChunksAndTheImageSize() throws {
    let png = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 1))
    let chunks = try #require(PNGReader.chunks(png))
    #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
    let header = chunks[0].data
    #expect(header.count == 13)
    #expect(PNGReader.bigEndian(header, at: 0) == 200)
    #expect(PNGReader.bigEndian(header, at: 4) == 70)
    #expect(Array(header[8...]) == [8, 0, 0, 0, 0])
    #expect(chunks[2].data.isEmpty)
}

@Test func theChunkReaderRejectsADamagedPNG() throws {
    var png = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 1))
    #expect(PNGReader.chunks(png) != nil)
    png[100] ^= 0x01
    #expect(PNGReader.chunks(png) == nil)
    #expect(PNGReader.chunks(Array(png.prefix(40))) == nil)
    #expect(PNGReader.chunks([0x89, 0x50, 0x4E, 0x47]) == nil)
}

@Test func imageDataInflatesToOneFilteredRowPerLine() throws {
    let png = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 1))
    let pixels = try #require(PNGReader.greyPixels(png))
    #expect(pixels.count == 200 * 70)
}

@Test func theStoredBlockInflaterRejectsBadChecksumsAndLengths() throws {
    let stream = PNGEncoder.zlibStored(Array(0..<200))
    #expect(PNGReader.inflateStored(stream) == Array(0..<200))
    var badChecksum = stream
    badChecksum[badChecksum.count - 1] ^= 0xFF
    #expect(PNGReader.inflateStored(badChecksum) == nil)
    var badLength = stream
    badLength[5] ^= 0xFF
    #expect(PNGReader.inflateStored(badLength) == nil)
    let large = [UInt8](repeating: 7, count: 150_000)
    #expect(PNGReader.inflateStored(PNGEncoder.zlibStored(large)) == large)
    #expect(PNGReader.inflateStored(PNGEncoder.zlibStored([])) == [])
}

@Test func textIsDarkOnALightBackground() throws {
    let pixels = try #require(PNGReader.greyPixels(CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 3))))
    let sorted = pixels.sorted()
    let median = sorted[sorted.count / 2]
    let dark = pixels.filter { $0 < 80 }.count
    #expect(median > 220)
    #expect(Double(dark) / Double(pixels.count) > 0.05)
    #expect(Double(dark) / Double(pixels.count) < 0.35)
}

@Test func twoCodesGiveDifferentImages() {
    let first = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 9))
    let second = CaptchaImage.png(for: "K7PWX4", random: SeededRandom(seed: 9))
    #expect(first != second)
}

@Test func theSameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() {
    let first = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 11))
    let again = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 11))
    let other = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 12))
    #expect(first == again)
    #expect(first != other)
}

@Test func odditiesInTheCodeStillGiveAValidImage() throws {
    for code in ["", "k7pwx3", "0O1Il<>&\"", "ABCDEFGHJKMNPRTUVWXY34679", "é🙂"] {
        let pixels = try #require(PNGReader.greyPixels(CaptchaImage.png(for: code, random: SeededRandom())))
        #expect(pixels.count == 200 * 70)
    }
    #expect(
        CaptchaImage.png(for: "k7pwx3", random: SeededRandom())
            == CaptchaImage.png(for: "K7PWX3", random: SeededRandom()))
}

@Test func writesASampleImageForPeopleToLookAt() throws {
    let png = CaptchaImage.png(for: "K7PWX3", random: SeededRandom(seed: 1))
    try Data(png).write(to: URL(fileURLWithPath: "/tmp/captcha-sample.png"))
}

// MARK: - WAV

@Test func wavFilesRoundTrip() throws {
    let audio = PCMAudio(sampleRate: 22_050, channels: 1, samples: [0, 1, -1, 32_767, -32_768, 1234])
    let bytes = WAVFile.encode(audio)
    #expect(bytes.count == 44 + 12)
    #expect(WAVFile.parse(bytes) == audio)
}

@Test func aStreamedWAVWithAPlaceholderLengthIsCutToItsSamples() throws {
    var bytes = WAVFile.encode(PCMAudio(sampleRate: 22_050, channels: 1, samples: [5, 6, 7]))
    bytes.replaceSubrange(40..<44, with: [0x00, 0xF0, 0xFF, 0x7F])
    bytes.replaceSubrange(4..<8, with: [0x24, 0xF0, 0xFF, 0x7F])
    #expect(WAVFile.parse(bytes)?.samples == [5, 6, 7])
    #expect(WAVFile.parse(bytes + [9])?.samples == [5, 6, 7])
}

@Test func notAPCMWAVIsRejected() {
    let good = WAVFile.encode(PCMAudio(sampleRate: 8_000, channels: 1, samples: [1, 2]))
    var eightBit = good
    eightBit[34] = 8
    var compressed = good
    compressed[20] = 3
    var notWave = good
    notWave[8] = 0x58
    var noSamples = good
    noSamples.removeLast(4)
    for bytes in [eightBit, compressed, notWave, noSamples, [], Array("hello".utf8), Array(good.prefix(30))] {
        #expect(WAVFile.parse(bytes) == nil)
    }
}

@Test func noiseIsLightAndTheSpeechKeepsItsPlace() {
    let tone = (0..<22_050).map { Int16(8_000 * sin(Double($0) * 0.1)) }
    let speech = PCMAudio(sampleRate: 22_050, channels: 1, samples: tone)
    let noisy = CaptchaAudio.withNoise(speech, random: SeededRandom())
    let margin = 22_050 / 4
    #expect(noisy.samples.count == tone.count + 2 * margin)
    let noise = zip(noisy.samples[margin...], tone).map { Double($0) - Double($1) }
    let ratio = rms(noise) / rms(tone.map(Double.init))
    #expect(ratio > 0.08 && ratio < 0.16)
    #expect(rms(noisy.samples[..<margin].map(Double.init)) > 0)
}

private func rms(_ values: [Double]) -> Double {
    (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
}

// MARK: - Audio

@Test func languageTagsBecomeVoicesWithAnEnglishFallback() {
    #expect(CaptchaAudio.voices(for: "en") == ["en"])
    #expect(CaptchaAudio.voices(for: "fr") == ["fr", "en"])
    #expect(CaptchaAudio.voices(for: "pt-BR") == ["pt-br", "pt", "en"])
    #expect(CaptchaAudio.voices(for: "de_CH") == ["de-ch", "de", "en"])
    for odd in ["", "e", "english", "fr; rm -rf /", "-v", "fr--", "fr-", "de-ch-x", "../../etc", "fr\u{0}"] {
        #expect(CaptchaAudio.voices(for: odd) == ["en"], "\(odd)")
    }
}

private let espeak = "/usr/bin/espeak-ng"
private let espeakInstalled = FileManager.default.isExecutableFile(atPath: espeak)

@Test(.enabled(if: espeakInstalled)) func audioIsAValidWAVLongerThanHalfASecond() throws {
    for language in ["en", "fr", "de"] {
        let bytes = try #require(CaptchaAudio.wav(for: "K7PWX3", language: language, random: SeededRandom()))
        #expect(Array(bytes[0..<4]) == Array("RIFF".utf8))
        #expect(Array(bytes[8..<12]) == Array("WAVE".utf8))
        let declared = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        #expect(declared == bytes.count - 8)
        let audio = try #require(WAVFile.parse(bytes))
        #expect(audio.samples.count > audio.sampleRate * audio.channels / 2)
    }
}

@Test(.enabled(if: espeakInstalled)) func anUnknownLanguageFallsBackToEnglish() throws {
    let unknown = try #require(CaptchaAudio.wav(for: "K7", language: "xx", random: SeededRandom()))
    let english = try #require(CaptchaAudio.wav(for: "K7", language: "en", random: SeededRandom()))
    #expect(unknown == english)
}

@Test(.enabled(if: espeakInstalled)) func aCodeOutsideTheAlphabetIsNotSpoken() {
    for code in ["", "K0", "<speak>", "K7 PW", "K7\"/>"] {
        #expect(CaptchaAudio.wav(for: code, language: "en", random: SeededRandom()) == nil, "\(code)")
    }
}

@Test func aMissingOrFailingSpeechProgramGivesNoAudio() throws {
    let scripts = try ScriptFolder()
    let programs = [
        "/nonexistent/espeak-ng",
        "/bin/false",
        try scripts.add("garbage", "#!/bin/sh\necho not a wav file\n"),
        try scripts.add("empty-wav", "#!/bin/sh\nprintf 'RIFF\\044\\000\\000\\000WAVE'\n"),
    ]
    for program in programs {
        #expect(
            CaptchaAudio.wav(for: "K7", language: "en", random: SeededRandom(), espeakPath: program) == nil,
            "\(program)")
    }
}

@Test func aSpeechProgramThatHangsIsKilledAtTheTimeout() throws {
    let scripts = try ScriptFolder()
    let program = try scripts.add("hang", "#!/bin/sh\nexec sleep 30\n")
    let start = Date()
    let audio = CaptchaAudio.wav(
        for: "K7", language: "en", random: SeededRandom(), espeakPath: program, timeout: .milliseconds(300))
    #expect(audio == nil)
    #expect(Date().timeIntervalSince(start) < 5)
}

/// Small shell scripts standing in for espeak-ng, removed with the folder.
private final class ScriptFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("captcha-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func add(_ name: String, _ script: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }
}

@Test func aChallengeIsDrawnTheSameEveryTimeAndOtherChallengesDifferently() async throws {
    let h = try await TestHarness.make()
    let captcha = CaptchaService(h.dependencies)
    let first = try captcha.newChallenge()
    let second = try captcha.newChallenge()
    let image = try #require(try captcha.image(id: first))
    // Asking again gives the very same picture: nothing new to average out over many requests.
    #expect(try captcha.image(id: first) == image)
    #expect(try captcha.image(id: second) != image)
}

@Test func aKeyedStreamIsDeterministicPerKeyAndSplitsFreely() {
    let a = KeyedStream(key: [1, 2, 3])
    let whole = a.bytes(100)
    let b = KeyedStream(key: [1, 2, 3])
    #expect(b.bytes(7) + b.bytes(60) + b.bytes(33) == whole)
    #expect(KeyedStream(key: [1, 2, 4]).bytes(100) != whole)
    #expect(Set(whole).count > 50)
}
