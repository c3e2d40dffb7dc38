import Basics

/// The audio alternative to the CAPTCHA picture: espeak-ng spells the code in the page's language over light noise.
public enum CaptchaAudio {
    /// A 16-bit PCM WAV of `code` spelled one character at a time, or nil when the code has characters
    /// outside `CaptchaCode.alphabet`, or espeak-ng is missing, fails or outlives `timeout`
    /// (the page then hides its audio link). An unknown `language` falls back to English.
    public static func wav(
        for code: String, language: String, random: some RandomSource,
        espeakPath: String = "/usr/bin/espeak-ng", timeout: Duration = .seconds(10)
    ) -> [UInt8]? {
        let characters = Array(code.uppercased())
        guard !characters.isEmpty, characters.allSatisfy(CaptchaCode.alphabet.contains) else { return nil }
        // A slightly different speed and pitch each time, so that one recording cannot be matched against the next.
        let options = ["-s", String(130 + random.uniform(16)), "-p", String(40 + random.uniform(21))]
        for voice in voices(for: language) {
            switch speak(characters, voice: voice, options: options, espeakPath: espeakPath, timeout: timeout) {
            case .spoken(let speech): return WAVFile.encode(withNoise(speech, random: random))
            case .voiceRefused: continue
            case .failed: return nil
            }
        }
        return nil
    }

    private enum Outcome {
        case spoken(PCMAudio)
        case voiceRefused
        case failed
    }

    /// The voices to try in order: the tag as given (`pt-br`), its language (`pt`), then English.
    /// Only plain language tags reach espeak-ng; anything else goes straight to English.
    static func voices(for language: String) -> [String] {
        let tag = language.lowercased().replacingOccurrences(of: "_", with: "-")
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        let plain =
            (2...3).contains(parts.first?.count ?? 0) && parts.count <= 2
            && parts.allSatisfy {
                !$0.isEmpty && $0.count <= 8 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            }
        guard plain, let primary = parts.first else { return ["en"] }
        var voices: [String] = []
        for voice in [tag, String(primary), "en"] where !voices.contains(voice) { voices.append(voice) }
        return voices
    }

    /// SSML so that each character is spelled as a letter or digit ("A" is not the article) with a clear pause between.
    /// The text holds only alphabet characters, so nothing in it can be read as markup.
    private static func speak(
        _ characters: [Character], voice: String, options: [String], espeakPath: String, timeout: Duration
    ) -> Outcome {
        let spelled = characters.map { "<say-as interpret-as=\"characters\">\($0)</say-as>" }
        let ssml = "<speak>" + spelled.joined(separator: "<break time=\"700ms\"/>") + "</speak>"
        let arguments = ["-m", "-v", voice] + options + ["--stdout", ssml]
        switch ProgramOutput.run(espeakPath, arguments: arguments, timeout: timeout) {
        case .output(let bytes): return WAVFile.parse(bytes).map(Outcome.spoken) ?? .failed
        // espeak-ng exits with status 1 and no output for a voice it does not have.
        case .exitedWithFailure: return .voiceRefused
        case .notStarted, .timedOut: return .failed
        }
    }

    /// Light noise, low-passed to a hiss rather than a crackle, at about a tenth of the speech's level
    /// (about 18 dB below it): enough to defeat a naive comparison, little enough to stay clear.
    /// A quarter second of noise alone before and after, so that the speech does not start the file.
    static func withNoise(_ speech: PCMAudio, random: some RandomSource) -> PCMAudio {
        let margin = speech.sampleRate * speech.channels / 4
        let padding = [Int16](repeating: 0, count: margin)
        let signal = (padding + speech.samples + padding).map(Double.init)
        let speechPower = speech.samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(speech.samples.count)
        var noise: [Double] = []
        noise.reserveCapacity(signal.count)
        var smoothed = 0.0
        for byte in random.bytes(signal.count) {
            smoothed = 0.6 * smoothed + 0.4 * (Double(byte) - 127.5)
            noise.append(smoothed)
        }
        let noisePower = noise.reduce(0.0) { $0 + $1 * $1 } / Double(max(1, noise.count))
        let gain = noisePower > 0 ? 0.12 * (speechPower / noisePower).squareRoot() : 0
        let mixed = zip(signal, noise).map { Int16(max(-32_768, min(32_767, ($0 + gain * $1).rounded()))) }
        return PCMAudio(sampleRate: speech.sampleRate, channels: speech.channels, samples: mixed)
    }
}
