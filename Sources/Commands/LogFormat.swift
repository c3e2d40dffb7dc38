import Basics
import Foundation
import Logging

/// One line per event on stderr: `time level message key=value …`, easy to grep and to ship.
struct KeyValueLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "\(Self.timestamp(SystemClock().now())) \(event.level) \(event.message)"
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }).sorted(by: { $0.key < $1.key }) {
            line += " \(key)=" + Self.quotedIfNeeded("\(value)")
        }
        line += "\n"
        // One write(2) per line, so that lines from concurrent workers never interleave.
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// A value with a space or a quote, or an empty one, in quotes with its quotes escaped. Byte checks: Foundation's
    /// string search was a visible part of busy validation profiles.
    static func quotedIfNeeded(_ text: String) -> String {
        let space = UInt8(ascii: " ")
        let quote = UInt8(ascii: "\"")
        guard text.isEmpty || text.utf8.contains(where: { $0 == space || $0 == quote }) else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" { quoted += "\\" }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }

    /// `2026-11-26T15:08:00Z`, as `ISO8601Format()` writes it, without Foundation's formatter on every line
    /// (profiles of busy validation endpoints showed it as one of the larger costs).
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

enum Logs {
    static func bootstrap() {
        LoggingSystem.bootstrap { KeyValueLogHandler(label: $0) }
    }
}
