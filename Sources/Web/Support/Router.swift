import FastCGI

/// One line of the route table.
struct Route: Sendable {
    let method: String
    let path: String
    let handler: @Sendable (RequestContext) throws -> HTTPResponse
    /// Only for endpoints called by other servers, which carry no browser cookie.
    var skipCSRF = false

    static func get(_ path: String, _ handler: @escaping @Sendable (RequestContext) throws -> HTTPResponse) -> Route {
        Route(method: "GET", path: path, handler: handler)
    }

    static func post(_ path: String, _ handler: @escaping @Sendable (RequestContext) throws -> HTTPResponse) -> Route {
        Route(method: "POST", path: path, handler: handler)
    }
}

/// Exact-path routing over the route table.
struct Router: Sendable {
    enum Match {
        case found(Route)
        case methodNotAllowed([String])
        case notFound
    }

    private let byPath: [String: [String: Route]]

    init(_ routes: [Route]) {
        var byPath: [String: [String: Route]] = [:]
        for route in routes {
            precondition(byPath[route.path]?[route.method] == nil, "duplicate route \(route.method) \(route.path)")
            byPath[route.path, default: [:]][route.method] = route
        }
        self.byPath = byPath
    }

    func match(method: String, path: String) -> Match {
        guard let methods = byPath[path] else { return .notFound }
        guard let route = methods[method] else { return .methodNotAllowed(methods.keys.sorted()) }
        return .found(route)
    }
}
