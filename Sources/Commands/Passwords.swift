import ArgumentParser
import Cryptography
import Foundation
import Identity

/// `appliance passwords import FILE…`: adds passwords (plain, or SHA-1 `HASH:COUNT` lines) to the leaked list.
struct Passwords: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the list of leaked passwords.", subcommands: [Import.self, HashRate.self])

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

    struct HashRate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash-rate",
            abstract: "Measure Argon2id password hashes per second on this machine (the ceiling of sign-ins per second).")

        @Option(help: "How long to measure, in seconds.")
        var seconds = 3.0

        func run() throws {
            let hasher = PasswordHasher()
            let threads = ProcessInfo.processInfo.activeProcessorCount
            let counter = HashCounter()
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
            let group = DispatchGroup()
            for index in 0..<threads {
                group.enter()
                Thread {
                    let salt = [UInt8](repeating: UInt8(index), count: 16)
                    while ContinuousClock.now < deadline {
                        _ = hasher.hash("benchmark-password-\(index)", salt: salt)
                        counter.add()
                    }
                    group.leave()
                }.start()
            }
            group.wait()
            print(String(format: "%.1f hashes/s (%d threads, Argon2id m=19 MiB t=2 p=1)", Double(counter.value) / seconds, threads))
        }
    }
}

/// A thread-safe counter for the hash-rate measurement.
final class HashCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
