import ArgumentParser
import Foundation
import Identity
import Storage

/// `appliance init`: creates the configuration file, the master key and the database.
/// Idempotent: what already exists is kept, so it is safe to run on every start.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the configuration, master key and database if missing.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Public URL of the appliance, written to a new configuration file.")
    var baseURL = "http://127.0.0.1:8080"

    @Option(help: "Templates folder, written to a new configuration file.")
    var templates = "templates"

    @Option(help: "Folder holding the shipped leaked-password list (common-passwords.txt).")
    var share = "share"

    @Option(help: "Mail transport URL, written to a new configuration file.")
    var mail = "file://mail"

    @Option(help: "SMS transport URL, written to a new configuration file.")
    var sms = "file://sms"

    @Option(help: "CAPTCHA on the registration form: on or off.")
    var captcha = "on"

    func run() throws {
        let fileManager = FileManager.default
        let configURL = URL(fileURLWithPath: options.config)
        try fileManager.createDirectory(at: configURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !fileManager.fileExists(atPath: options.config) {
            let templatesPath = URL(fileURLWithPath: templates).standardizedFileURL.path
            let text = """
                # Login Appliance configuration. Relative paths are relative to this file's folder.
                languages = ["en", "fr", "de"]

                [server]
                base_url = "\(baseURL)"
                socket = "appliance.sock"
                # socket_mode = "0660"
                # workers = 64   (more than the concurrent requests nginx passes on; see README)

                [storage]
                path = "appliance.sqlite"
                master_key = "master.key"

                [mail]
                # smtp://user:password@host:587, sendmail:/usr/sbin/sendmail or file:///folder
                transport = "\(mail)"
                from = "no-reply@\(URL(string: baseURL)?.host ?? "localhost")"

                [sms]
                # An HTTP gateway (https://…, with method, content_type, body, auth_header; see README),
                # command:/path/to/program (called with the number and the text) or file:///folder
                transport = "\(sms)"

                [registration]
                enabled = true
                captcha = "\(captcha)"

                [login]
                reveal_unknown_email = true

                [organisation]
                name = "Login Appliance"
                primary_color = "#1d4f91"

                [passwords]
                leaked_list = "leaked-passwords.lst"

                [paths]
                templates = "\(templatesPath)"

                """
            try text.write(toFile: options.config, atomically: true, encoding: .utf8)
            print("created \(options.config)")
        }
        let settings = try ConfigFile.load(options.config)
        if !fileManager.fileExists(atPath: settings.storage.masterKey) {
            try MasterKey.create(settings.storage.masterKey)
            print("created \(settings.storage.masterKey) (mode 0600)")
        }
        _ = try AppDatabase.open(path: settings.storage.path)
        if !fileManager.fileExists(atPath: settings.passwords.leakedList) {
            let source = URL(fileURLWithPath: share).appendingPathComponent("leaked-passwords/common-passwords.txt")
            if fileManager.fileExists(atPath: source.path) {
                let count = try LeakedPasswordList.build(
                    inputs: [source], merging: nil, output: URL(fileURLWithPath: settings.passwords.leakedList))
                print("created \(settings.passwords.leakedList) (\(count) leaked passwords)")
            }
        }
        if settings.mail.transport.hasPrefix("file://") {
            try fileManager.createDirectory(
                atPath: String(settings.mail.transport.dropFirst("file://".count)), withIntermediateDirectories: true)
        }
        if settings.sms.transport.hasPrefix("file://") {
            try fileManager.createDirectory(
                atPath: String(settings.sms.transport.dropFirst("file://".count)), withIntermediateDirectories: true)
        }
        print("database ready at \(settings.storage.path)")
    }
}
