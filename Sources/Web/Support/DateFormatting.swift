import Foundation

/// Long dates in each page language ("26 November 2026"). Formatters are costly to create and to run (ICU), so one
/// per language is made once, and each day's text is kept: pages show a handful of distinct days (an account's
/// creation date on every visit to My Account) far more often than new ones.
final class LongDates: @unchecked Sendable {
    private struct Day: Hashable {
        let language: String
        let day: Int
    }

    static let capacity = 4096
    private let lock = NSLock()
    private var formatters: [String: DateFormatter] = [:]
    private var texts: [Day: String] = [:]

    func string(_ date: Date, language: String) -> String {
        // Whole UTC days: the formatter's time zone is UTC and it shows no time.
        let day = Day(language: language, day: Int((date.timeIntervalSince1970 / 86400).rounded(.down)))
        return lock.withLock {
            if let text = texts[day] { return text }
            let text = formatter(language).string(from: date)
            if texts.count >= Self.capacity { texts.removeAll(keepingCapacity: true) }
            texts[day] = text
            return text
        }
    }

    private func formatter(_ language: String) -> DateFormatter {
        if let made = formatters[language] { return made }
        let made = DateFormatter()
        made.locale = Locale(identifier: language)
        made.dateStyle = .long
        made.timeStyle = .none
        made.timeZone = TimeZone(identifier: "UTC")
        formatters[language] = made
        return made
    }
}
