import ArgumentParser
import Foundation
import Storage

/// `appliance backup PATH`: a consistent copy of the database, taken while the server runs.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent copy of the database to PATH.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Where to write the copy (must not exist).")
    var path: String

    func validate() throws {
        if FileManager.default.fileExists(atPath: path) { throw ValidationError("\(path) already exists") }
    }

    func run() throws {
        let settings = try ConfigFile.load(options.config)
        let database = try AppDatabase.open(path: settings.storage.path)
        let temporary = path + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        try database.backup(to: temporary)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        print("backup written to \(path)")
    }
}
