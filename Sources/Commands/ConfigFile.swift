import Basics
import Foundation
import Identity
import TOMLKit

/// Reads the TOML configuration into `Settings`, collecting every problem with its key path
/// instead of stopping at the first (so `appliance check` can list them all at once).
/// Relative paths are taken from the configuration file's folder.
struct ConfigFile {
    let path: String
    var problems: [String] = []

    static func load(_ path: String) throws -> Settings {
        var file = ConfigFile(path: path)
        let settings = file.read()
        if !file.problems.isEmpty { throw ConfigError(problems: file.problems) }
        return settings
    }

    mutating func read() -> Settings {
        var settings = Settings()
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            problems.append("\(path): cannot be read")
            return settings
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            problems.append("\(path):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
            return settings
        } catch {
            problems.append("\(path): not valid TOML")
            return settings
        }
        let known: [String: Set<String>] = [
            "server": ["base_url", "socket", "socket_mode", "workers", "max_body_bytes"],
            "storage": ["path", "master_key"],
            "mail": ["transport", "from", "from_name", "ca_file"],
            "sms": ["transport", "method", "content_type", "body", "auth_header", "ca_file"],
            "registration": ["enabled", "captcha", "privacy_url"],
            "login": ["reveal_unknown_email", "remember_email_days", "session_hours", "idle_minutes"],
            "organisation": ["name", "logo_url", "primary_color"],
            "passwords": ["leaked_list"],
            "paths": ["templates", "espeak"],
            "cas": ["ticket_seconds", "ca_file"],
            "": ["languages", "service"],
        ]
        for key in root.keys where known[key] == nil && known[""]?.contains(key) != true {
            problems.append("\(key): unknown section")
        }
        for (section, keys) in known where !section.isEmpty {
            guard let table = root[section]?.table else { continue }
            for key in table.keys where !keys.contains(key) { problems.append("\(section).\(key): unknown key") }
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ value: String) -> String {
            value.hasPrefix("/") ? value : base.appendingPathComponent(value).standardizedFileURL.path
        }

        if let server = root["server"]?.table {
            settings.server.baseURL = string(server, "server", "base_url") ?? settings.server.baseURL
            if let url = URL(string: settings.server.baseURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
                settings.server.baseURL =
                    settings.server.baseURL.hasSuffix("/") ? String(settings.server.baseURL.dropLast()) : settings.server.baseURL
            } else {
                problems.append("server.base_url: must be an http(s) URL such as https://login.example.org")
            }
            if let socket = string(server, "server", "socket") { settings.server.socket = socket }
            if let mode = string(server, "server", "socket_mode") {
                if let value = UInt16(mode, radix: 8), value <= 0o777 {
                    settings.server.socketMode = value
                } else {
                    problems.append("server.socket_mode: must be octal like \"0660\"")
                }
            }
            if let workers = int(server, "server", "workers", range: 1...256) { settings.server.workers = workers }
            if let bytes = int(server, "server", "max_body_bytes", range: 1024...(64 << 20)) { settings.server.maxBodyBytes = bytes }
        }
        settings.server.socket = resolve(settings.server.socket)
        if let storage = root["storage"]?.table {
            if let value = string(storage, "storage", "path") { settings.storage.path = value }
            if let value = string(storage, "storage", "master_key") { settings.storage.masterKey = value }
        }
        settings.storage.path = resolve(settings.storage.path)
        settings.storage.masterKey = resolve(settings.storage.masterKey)
        if let mail = root["mail"]?.table {
            if let value = string(mail, "mail", "transport") { settings.mail.transport = value }
            if let value = string(mail, "mail", "from") { settings.mail.from = value }
            if let value = string(mail, "mail", "from_name") { settings.mail.fromName = value }
            if let value = string(mail, "mail", "ca_file") { settings.mail.caFile = resolve(value) }
        }
        if settings.mail.transport.hasPrefix("file://") {
            let dir = String(settings.mail.transport.dropFirst("file://".count))
            settings.mail.transport = "file://" + resolve(dir)
        }
        if let sms = root["sms"]?.table {
            if let value = string(sms, "sms", "transport") { settings.sms.transport = value }
            if let value = string(sms, "sms", "method") { settings.sms.method = value }
            if let value = string(sms, "sms", "content_type") { settings.sms.contentType = value }
            if let value = string(sms, "sms", "body") { settings.sms.body = value }
            if let value = string(sms, "sms", "auth_header") { settings.sms.authHeader = value }
            if let value = string(sms, "sms", "ca_file") { settings.sms.caFile = resolve(value) }
        }
        if settings.sms.transport.hasPrefix("file://") {
            settings.sms.transport = "file://" + resolve(String(settings.sms.transport.dropFirst("file://".count)))
        }
        if !EmailAddress.isValid(settings.mail.from) { problems.append("mail.from: must be an e-mail address") }
        if let registration = root["registration"]?.table {
            if let value = bool(registration, "registration", "enabled") { settings.registration.enabled = value }
            if let value = registration["captcha"] {
                switch (value.string, value.bool) {
                case ("on", _), (_, true): settings.registration.captcha = true
                case ("off", _), (_, false): settings.registration.captcha = false
                default: problems.append("registration.captcha: must be \"on\" or \"off\"")
                }
            }
            if let value = string(registration, "registration", "privacy_url") { settings.registration.privacyURL = value }
        }
        if let login = root["login"]?.table {
            if let value = bool(login, "login", "reveal_unknown_email") { settings.login.revealUnknownEmail = value }
            if let value = int(login, "login", "remember_email_days", range: 0...3650) { settings.login.rememberEmailDays = value }
            if let value = number(login, "login", "session_hours", range: 0.1...720) { settings.login.sessionHours = value }
            if let value = number(login, "login", "idle_minutes", range: 1...43200) { settings.login.idleMinutes = value }
        }
        if let organisation = root["organisation"]?.table {
            if let value = string(organisation, "organisation", "name") { settings.organisation.name = value }
            if let value = string(organisation, "organisation", "logo_url") { settings.organisation.logoURL = value }
            if let value = string(organisation, "organisation", "primary_color") {
                if !Self.isHexColour(value) {
                    problems.append("organisation.primary_color: must look like #1d4f91")
                } else if Self.contrastWithWhite(value) < 4.5 {
                    // Buttons carry white text on this colour (WCAG 2.1 AA needs 4.5:1).
                    problems.append(
                        "organisation.primary_color: \(value) is too light for white text (contrast \(String(format: "%.1f", Self.contrastWithWhite(value))):1, needs 4.5:1)"
                    )
                } else {
                    settings.organisation.primaryColor = value
                }
            }
        }
        if let passwords = root["passwords"]?.table, let value = string(passwords, "passwords", "leaked_list") {
            settings.passwords.leakedList = value
        }
        settings.passwords.leakedList = resolve(settings.passwords.leakedList)
        if let paths = root["paths"]?.table {
            if let value = string(paths, "paths", "templates") { settings.paths.templates = value }
            if let value = string(paths, "paths", "espeak") { settings.paths.espeak = value }
        }
        settings.paths.templates = resolve(settings.paths.templates)
        if let cas = root["cas"]?.table {
            if let value = int(cas, "cas", "ticket_seconds", range: 10...300) { settings.cas.ticketSeconds = value }
            if let value = string(cas, "cas", "ca_file") { settings.cas.caFile = resolve(value) }
        }
        settings.services = ServiceRegistry(readServices(root["service"]))
        if let languages = root["languages"] {
            if let array = languages.array, !array.isEmpty, array.allSatisfy({ $0.string != nil }) {
                settings.languages = array.compactMap { $0.string }
            } else {
                problems.append("languages: must be a list of language codes such as [\"en\", \"fr\"]")
            }
        }
        return settings
    }

    /// `#` and six hexadecimal digits.
    static func isHexColour(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 7 && bytes[0] == UInt8(ascii: "#") && bytes.dropFirst().allSatisfy { Hex.nibble($0) != nil }
    }

    /// WCAG contrast ratio of a `#rrggbb` colour against white.
    static func contrastWithWhite(_ hex: String) -> Double {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xFF) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
        return 1.05 / (luminance + 0.05)
    }

    mutating func string(_ table: TOMLTable, _ section: String, _ key: String) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else {
            problems.append("\(section).\(key): must be a string")
            return nil
        }
        return string
    }

    mutating func bool(_ table: TOMLTable, _ section: String, _ key: String) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else {
            problems.append("\(section).\(key): must be true or false")
            return nil
        }
        return bool
    }

    mutating func int(_ table: TOMLTable, _ section: String, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let value = table[key] else { return nil }
        guard let int = value.int, range.contains(int) else {
            problems.append("\(section).\(key): must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return int
    }

    mutating func number(_ table: TOMLTable, _ section: String, _ key: String, range: ClosedRange<Double>) -> Double? {
        guard let value = table[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init), range.contains(number) else {
            problems.append("\(section).\(key): must be a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }
}

/// Every problem found in the configuration file.
struct ConfigError: Error, CustomStringConvertible {
    let problems: [String]
    var description: String { "configuration has \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
}
