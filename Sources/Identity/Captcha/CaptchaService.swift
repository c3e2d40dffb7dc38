import Cryptography
import Foundation
import Storage

/// Registration challenges: a code stored under a random id, shown as an image or spoken as audio,
/// usable for exactly one answer.
public struct CaptchaService: Sendable {
    public static let lifetime: TimeInterval = 20 * 60

    let dependencies: Dependencies

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// A new challenge's id, to put in the form and in the image's URL.
    public func newChallenge() throws -> String {
        let id = dependencies.random.token(byteCount: 16)
        let code = CaptchaCode.generate(random: dependencies.random)
        let expires = dependencies.clock.now().addingTimeInterval(Self.lifetime)
        try dependencies.database.write { try $0.insertCaptcha(idHash: tokenHash(id), answer: code, expiresAt: expires) }
        return id
    }

    public func image(id: String) throws -> [UInt8]? {
        guard let code = try answer(id: id) else { return nil }
        return CaptchaImage.png(for: code, random: drawing(id))
    }

    /// A spoken challenge, or why there is none.
    public enum Audio: Sendable {
        case wav([UInt8])
        case unknownChallenge
        /// As many speech programs run as there are cores: a flood of audio requests waits or is turned away
        /// instead of starving the sign-ins.
        case busy
    }

    private static let speakers = DispatchSemaphore(value: max(1, ProcessInfo.processInfo.activeProcessorCount))

    public func audio(id: String, language: String) throws -> Audio {
        guard let code = try answer(id: id) else { return .unknownChallenge }
        guard Self.speakers.wait(timeout: .now() + 5) == .success else { return .busy }
        defer { Self.speakers.signal() }
        let wav = CaptchaAudio.wav(for: code, language: language, random: drawing(id), espeakPath: dependencies.settings.paths.espeak)
        return wav.map(Audio.wav) ?? .unknownChallenge
    }

    /// The distortions and noise of one challenge: the same on every request for it, so that asking for the image or the
    /// sound again shows nothing new, and unpredictable without the master key.
    private func drawing(_ id: String) -> KeyedStream {
        KeyedStream(key: HMAC.sha256(key: dependencies.subkey("captcha-drawing"), message: Array(id.utf8)))
    }

    /// Checks one answer and uses the challenge up, right or wrong.
    public func verify(id: String, answer: String) throws -> Bool {
        guard !id.isEmpty, id.utf8.count <= 64 else { return false }
        let now = dependencies.clock.now()
        guard let expected = try dependencies.database.write({ try $0.consumeCaptcha(idHash: tokenHash(id), at: now) }) else {
            return false
        }
        return CaptchaCode.matches(answer: answer, expected: expected)
    }

    private func answer(id: String) throws -> String? {
        guard !id.isEmpty, id.utf8.count <= 64 else { return nil }
        let now = dependencies.clock.now()
        return try dependencies.database.read { try $0.captchaAnswer(idHash: tokenHash(id), at: now) }
    }
}
