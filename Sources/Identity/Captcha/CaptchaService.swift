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
        return CaptchaImage.png(for: code, random: dependencies.random)
    }

    public func audio(id: String, language: String) throws -> [UInt8]? {
        guard let code = try answer(id: id) else { return nil }
        return CaptchaAudio.wav(for: code, language: language, random: dependencies.random, espeakPath: dependencies.settings.paths.espeak)
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
