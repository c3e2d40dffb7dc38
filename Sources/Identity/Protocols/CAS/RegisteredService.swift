import Foundation

/// An application allowed to use the appliance for sign-in, from a `[[service]]` block.
public struct RegisteredService: Sendable {
    public var name: String
    public var patterns: [ServicePattern]
    /// The weakest sign-in this service accepts.
    public var minimumLevel: AuthenticationLevel
    /// The attribute names released to it on validation (`uid` is always the user).
    public var attributes: [String]
    /// Where back-channel single-logout requests are posted, if anywhere.
    public var logoutURL: String?
    /// The HTTPS callback URLs (`pgtUrl`) through which it may obtain proxy-granting tickets; none: it may not proxy.
    public var proxyCallbacks: [ServicePattern]

    public init(
        name: String, patterns: [ServicePattern], minimumLevel: AuthenticationLevel = .password, attributes: [String] = [],
        logoutURL: String? = nil, proxyCallbacks: [ServicePattern] = []
    ) {
        self.proxyCallbacks = proxyCallbacks
        self.name = name
        self.patterns = patterns
        self.minimumLevel = minimumLevel
        self.attributes = attributes
        self.logoutURL = logoutURL
    }
}

/// The registered services and the one question asked of them: which service may receive this URL?
public struct ServiceRegistry: Sendable {
    public let services: [RegisteredService]

    public init(_ services: [RegisteredService]) {
        self.services = services
    }

    /// The verdict for one URL: the service and pattern that allow it, or why none does.
    public enum Verdict: Sendable {
        case matched(RegisteredService, ServicePattern, ServiceURL)
        case invalid(ServiceURL.Problem)
        case unregistered
    }

    public func match(_ raw: String) -> Verdict {
        switch ServiceURL.parse(raw) {
        case .failure(let problem): return .invalid(problem)
        case .success(let url):
            for service in services {
                if let pattern = service.patterns.first(where: { $0.matches(url) }) { return .matched(service, pattern, url) }
            }
            return .unregistered
        }
    }

    /// The service allowed to receive `raw`, if any.
    public func service(for raw: String) -> (RegisteredService, ServiceURL)? {
        if case .matched(let service, _, let url) = match(raw) { return (service, url) }
        return nil
    }

    public func service(named name: String) -> RegisteredService? {
        services.first { $0.name == name }
    }
}

/// The registered services in force: read at start, replaced as a whole when `serve` reloads its
/// configuration on SIGHUP, so a request always sees one consistent set.
public final class ServiceDirectory: @unchecked Sendable {
    private let lock = NSLock()
    private var registry: ServiceRegistry

    public init(_ registry: ServiceRegistry) {
        self.registry = registry
    }

    public var current: ServiceRegistry { lock.withLock { registry } }

    public func replace(with registry: ServiceRegistry) {
        lock.withLock { self.registry = registry }
    }
}
