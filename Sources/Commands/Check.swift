import ArgumentParser
import Foundation
import Identity

/// `appliance check`: validates the configuration, listing every problem, and says what it will do.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the configuration and print what the appliance will do.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let settings: Settings
        do {
            settings = try ConfigFile.load(options.config)
        } catch let error as ConfigError {
            print(error.description)
            throw ExitCode.failure
        }
        var problems: [String] = []
        if (try? MasterKey.read(settings.storage.masterKey)) == nil {
            problems.append("storage.master_key: \(settings.storage.masterKey) missing or invalid")
        }
        if !FileManager.default.fileExists(atPath: settings.paths.templates + "/layout.mustache") {
            problems.append("paths.templates: no layout.mustache in \(settings.paths.templates)")
        }
        do { _ = try MailTransports.make(url: settings.mail.transport, caFile: settings.mail.caFile) } catch {
            problems.append("mail.transport: \(error)")
        }
        do { _ = try SMSTransports.make(settings.sms) } catch {
            problems.append("\(error)")
        }
        print("base URL:      \(settings.server.baseURL)")
        print("socket:        \(settings.server.socket) (\(settings.server.workers) workers)")
        print("database:      \(settings.storage.path)")
        print("mail:          \(settings.mail.transport) from \(settings.mail.from)")
        print("sms:           \(Self.describe(settings.sms))")
        print(
            "registration:  \(settings.registration.enabled ? "open" : "closed"), CAPTCHA \(settings.registration.captcha ? "on" : "off")")
        print("cookies:       \(settings.cookiesAreSecure ? "Secure" : "not Secure (plain-http loopback development URL)")")
        print("languages:     \(settings.languages.joined(separator: ", "))")
        print(
            "CAS services:  \(settings.services.services.map(\.name).joined(separator: ", ").nonEmpty ?? "none") (tickets live \(settings.cas.ticketSeconds) s)"
        )
        if !problems.isEmpty {
            print("problems:")
            for problem in problems { print("  - \(problem)") }
            throw ExitCode.failure
        }
        print("configuration OK")
    }
}

extension Check {
    /// The SMS transport without the gateway's credentials (they may sit in its URL).
    static func describe(_ sms: Settings.SMS) -> String {
        guard sms.transport.hasPrefix("http"), var parts = URLComponents(string: sms.transport) else {
            return sms.transport.hasPrefix("file:") ? "\(sms.transport) (written to files, not sent)" : sms.transport
        }
        parts.query = nil
        parts.user = nil
        parts.password = nil
        return
            "\(sms.method.uppercased()) \(parts.string ?? "gateway") (\(sms.contentType)\(sms.authHeader == nil ? "" : ", with an authorisation header"))"
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
