import Foundation
import Storage

extension HardwareTokens {
    /// What an import did.
    public struct ImportReport: Sendable, Equatable {
        /// How many new tokens of each kind were stored.
        public var imported: [Kind: Int] = [:]
        /// Serials already known, left exactly as they were (linked or not).
        public var skipped: [String] = []
    }

    /// Stores the tokens in one transaction, each secret sealed and bound to its serial. A serial already
    /// known is skipped, never overwritten: the token in hand may be linked and its counter moved on.
    public func importTokens(_ tokens: [TokenDefinition]) throws -> ImportReport {
        let now = dependencies.clock.now()
        return try dependencies.database.write { store in
            var report = ImportReport()
            for token in tokens {
                let sealed = box.seal(token.secret, associatedData: associatedData(token.serial), random: dependencies.random)
                let stored = try store.insertHardwareToken(
                    NewHardwareToken(
                        serial: token.serial, kind: token.kind.rawValue, sealedSecret: sealed, digits: token.digits,
                        algorithm: token.algorithm.rawValue, period: token.period, ocraSuite: token.ocraSuite?.text, counter: token.counter),
                    at: now)
                if stored {
                    report.imported[token.kind, default: 0] += 1
                } else {
                    report.skipped.append(token.serial)
                }
            }
            let counts = Kind.allCases.map { "\($0.rawValue)=\(report.imported[$0] ?? 0)" }.joined(separator: " ")
            try store.appendAudit(
                event: "tokens_imported", accountID: nil, email: nil, ip: "cli", userAgent: "appliance token import",
                detail: "\(counts) skipped=\(report.skipped.count)", at: now)
            return report
        }
    }

    /// Every token with its holder's e-mail address (nil when free), for `appliance token list`.
    public func all() throws -> [(serial: String, kind: String, holder: String?)] {
        try dependencies.database.read { try $0.allHardwareTokens() }.map { ($0.token.serial, $0.token.kind, $0.email) }
    }
}
