import Foundation
import GRDB

extension Store {
    public func insertCaptcha(idHash: [UInt8], answer: String, expiresAt: Date) throws {
        try db.executeCached(
            sql: "INSERT INTO captcha (id_hash, answer, expires_at) VALUES (?, ?, ?)",
            arguments: [Data(idHash), answer, expiresAt.storedSeconds])
    }

    /// The answer of a live challenge, which is deleted in the same step: one guess per challenge.
    public func consumeCaptcha(idHash: [UInt8], at now: Date) throws -> String? {
        let answer = try String.fetchOne(
            db, sql: "SELECT answer FROM captcha WHERE id_hash = ? AND expires_at > ?",
            arguments: [Data(idHash), now.storedSeconds])
        try db.executeCached(sql: "DELETE FROM captcha WHERE id_hash = ?", arguments: [Data(idHash)])
        return answer
    }

    /// The answer of a live challenge without using it up (to render its image or audio).
    public func captchaAnswer(idHash: [UInt8], at now: Date) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT answer FROM captcha WHERE id_hash = ? AND expires_at > ?",
            arguments: [Data(idHash), now.storedSeconds])
    }

    public func purgeCaptchas(before cutoff: Date) throws -> Int {
        try db.executeCached(sql: "DELETE FROM captcha WHERE expires_at < ?", arguments: [cutoff.storedSeconds])
        return db.changesCount
    }
}
