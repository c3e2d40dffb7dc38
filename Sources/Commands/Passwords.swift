import ArgumentParser
import Foundation
import Identity

/// `appliance passwords import FILE…`: adds passwords (plain, or SHA-1 `HASH:COUNT` lines) to the leaked list.
struct Passwords: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the list of leaked passwords.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge plain passwords or SHA-1 HASH:COUNT lines into the leaked list.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Files to import.")
        var files: [String]

        @Flag(help: "Replace the list instead of merging into it.")
        var replace = false

        func run() throws {
            let settings = try ConfigFile.load(options.config)
            let output = URL(fileURLWithPath: settings.passwords.leakedList)
            let existing = !replace && FileManager.default.fileExists(atPath: output.path) ? output : nil
            let count = try LeakedPasswordList.build(inputs: files.map { URL(fileURLWithPath: $0) }, merging: existing, output: output)
            print("\(output.path) now holds \(count) leaked passwords; restart or reload `serve` to use it")
        }
    }
}
