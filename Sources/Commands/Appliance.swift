import ArgumentParser

/// The `appliance` command and its subcommands.
public struct Appliance: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "appliance",
        abstract: "A self-hosted single-sign-on identity provider.",
        subcommands: [
            Init.self, Serve.self, Maintenance.self, User.self, Service.self, Token.self, Passwords.self, Backup.self, Check.self,
        ])

    public init() {}
}
