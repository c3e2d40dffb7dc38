import Identity
import Logging

/// SIGHUP in `serve`: reads the configuration file again and puts its `[[service]]` blocks in force.
/// Other settings need a restart; a file with any problem changes nothing.
enum ServiceReload {
    static func run(configPath: String, into directory: ServiceDirectory, logger: Logger) {
        do {
            let services = try ConfigFile.load(configPath).services
            directory.replace(with: services)
            logger.info("services reloaded", metadata: ["services": "\(services.services.map(\.name).joined(separator: ","))"])
        } catch let error as ConfigError {
            logger.error(
                "reload refused, the services in force are unchanged", metadata: ["problems": "\(error.problems.joined(separator: "; "))"])
        } catch {
            logger.error("reload refused, the services in force are unchanged", metadata: ["error": "\(error)"])
        }
    }
}
