import ArgumentParser
import Basics
import Foundation
import Identity
import TokenFiles

/// `appliance token …`: hardware tokens from the vendor's files, and who holds them.
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage hardware tokens.", subcommands: [Import.self, List.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import tokens from a PSKC (RFC 6030) or CSV file; all of them or, on any problem, none.",
            discussion: """
                CSV lines are serial,secret,type,digits,period[,counter] with the secret in hexadecimal and the type \
                hotp, totp or an OCRA suite (OCRA-1:HOTP-SHA1-6:QN08); a header line and # comments are allowed. \
                Serials already known are skipped and left as they are.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The file to import.")
        var file: String

        @Option(help: "The file's format; guessed from its content when not given.")
        var format: TokenFile.Format?

        @Option(help: "The password protecting the secrets of a PSKC file (PBKDF2).")
        var password: String?

        @Option(help: "A file whose first line is the password protecting the secrets.")
        var passwordFile: String?

        @Option(help: "The pre-shared AES key of a PSKC file, in hexadecimal.")
        var key: String?

        func validate() throws {
            if password != nil, passwordFile != nil { throw ValidationError("give --password or --password-file, not both") }
            if let key, Hex.decode(key).map({ [16, 24, 32].contains($0.count) }) != true {
                throw ValidationError("--key must be 32, 48 or 64 hexadecimal digits (an AES-128, -192 or -256 key)")
            }
        }

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            var secretPassword = password
            if let passwordFile {
                guard let text = FileManager.default.contents(atPath: passwordFile).map({ String(decoding: $0, as: UTF8.self) }) else {
                    throw ValidationError("cannot read \(passwordFile)")
                }
                secretPassword = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            }
            let bytes = [UInt8](data)
            let format = self.format ?? TokenFile.guessFormat(bytes)
            let tokens: [TokenDefinition]
            switch TokenFile.parse(bytes, format: format, preSharedKey: key.flatMap(Hex.decode), password: secretPassword) {
            case .success(let parsed): tokens = parsed
            case .failure(let problems):
                let lines = ["\(file): nothing imported; \(problems.messages.count) problem(s):"] + problems.messages.map { "  " + $0 }
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                throw ExitCode.failure
            }
            let runtime = try Runtime.load(options, label: "token")
            let report = try HardwareTokens(runtime.dependencies).importTokens(tokens)
            let total = report.imported.values.reduce(0, +)
            let kinds = HardwareTokens.Kind.allCases.compactMap { kind in report.imported[kind].map { "\($0) \(kind.rawValue)" } }
            print("imported \(total) token(s)" + (kinds.isEmpty ? "" : ": " + kinds.joined(separator: ", ")) + " (\(format.rawValue))")
            for serial in report.skipped { print("skipped \(serial): already known, left unchanged") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: serial, kind, and the holder's e-mail or \"free\".")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let runtime = try Runtime.load(options, label: "token")
            for token in try HardwareTokens(runtime.dependencies).all() {
                print("\(token.serial)\t\(token.kind)\t\(token.holder ?? "free")")
            }
        }
    }
}

extension TokenFile.Format: ExpressibleByArgument {}
