import ArgumentParser
import Identity

/// `appliance service …`: what the `[[service]]` blocks allow.
struct Service: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the registered services and test service URLs against them.", subcommands: [List.self, Check.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered services.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let services = try ConfigFile.load(options.config).services.services
            if services.isEmpty { print("no services registered: add [[service]] blocks to the configuration") }
            for service in services {
                print("\(service.name) (cas, min_level \(service.minimumLevel.rawValue))")
                for pattern in service.patterns { print("  match:      \(pattern) (\(pattern.isExact ? "exact" : "pattern"))") }
                print("  attributes: \(service.attributes.isEmpty ? "none" : service.attributes.joined(separator: ", "))")
                print("  logout_url: \(service.logoutURL ?? "none (no back-channel logout)")")
                let callbacks = service.proxyCallbacks.map(\.text).joined(separator: ", ")
                print("  proxy:      \(callbacks.isEmpty ? "no (may not obtain proxy-granting tickets)" : callbacks)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say which service, if any, may receive tickets for URL, and why.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The service URL as a client would send it.") var url: String

        func run() throws {
            switch try ConfigFile.load(options.config).services.match(url) {
            case .matched(let service, let pattern, _):
                print(
                    "\(url): service \"\(service.name)\", \(pattern.isExact ? "exact URL" : "pattern") \(pattern) (min_level \(service.minimumLevel.rawValue))"
                )
            case .invalid(let problem):
                print("\(url): refused, \(problem.rawValue)")
                throw ExitCode.failure
            case .unregistered:
                print("\(url): no registered service matches (scheme, host and port must be equal, and the path and query match a pattern)")
                throw ExitCode.failure
            }
        }
    }
}
