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
        var line = "\(SystemClock().now().ISO8601Format()) \(event.level) \(event.message)"
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }).sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            let quoted = text.contains(" ") || text.contains("\"") || text.isEmpty
            line += " \(key)=" + (quoted ? "\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\"" : text)
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

enum Logs {
    static func bootstrap() {
        LoggingSystem.bootstrap { KeyValueLogHandler(label: $0) }
    }
}
