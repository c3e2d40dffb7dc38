import Foundation

/// Long dates in each page language ("26 November 2026"). Formatters are costly to create, so
/// one per language is made once and shared under a lock.
final class LongDates: @unchecked Sendable {
    private let lock = NSLock()
    private var formatters: [String: DateFormatter] = [:]

    func string(_ date: Date, language: String) -> String {
        lock.withLock {
            let formatter =
                formatters[language]
                ?? {
                    let made = DateFormatter()
                    made.locale = Locale(identifier: language)
                    made.dateStyle = .long
                    made.timeStyle = .none
                    made.timeZone = TimeZone(identifier: "UTC")
                    formatters[language] = made
                    return made
                }()
            return formatter.string(from: date)
        }
    }
}
