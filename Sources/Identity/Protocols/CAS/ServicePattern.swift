/// One `match` entry of a registered service: an exact URL, or a URL whose path and query may
/// hold `*` wildcards. Scheme, host and port are always compared exactly, never by prefix.
public struct ServicePattern: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    let origin: ServiceURL

    public var isExact: Bool { !origin.pathAndQuery.utf8.contains(UInt8(ascii: "*")) }
    public var description: String { text }

    /// Why a pattern cannot be used.
    public enum Problem: Error, Sendable, CustomStringConvertible {
        case wildcardOutsidePath
        case invalidURL(ServiceURL.Problem)

        public var description: String {
            switch self {
            case .wildcardOutsidePath: "a * is only allowed in the path and query, never in the scheme, host or port"
            case .invalidURL(let problem): problem.rawValue
            }
        }
    }

    public static func parse(_ text: String) -> Result<ServicePattern, Problem> {
        if let authorityEnd = authorityEnd(of: text), text[..<authorityEnd].utf8.contains(UInt8(ascii: "*")) {
            return .failure(.wildcardOutsidePath)
        }
        switch ServiceURL.parse(text) {
        case .failure(let problem): return .failure(.invalidURL(problem))
        case .success(let url): return .success(ServicePattern(text: text, origin: url))
        }
    }

    /// Whether `url` is one this pattern allows: same scheme, host and port, and the path and
    /// query equal to the pattern's (each `*` standing for any run of characters).
    public func matches(_ url: ServiceURL) -> Bool {
        url.scheme == origin.scheme && url.host == origin.host && url.port == origin.port
            && Self.glob(Array(origin.pathAndQuery.utf8), Array(url.pathAndQuery.utf8))
    }

    private static func authorityEnd(of text: String) -> String.Index? {
        guard let separator = text.firstRange(of: "://") else { return text.firstIndex(of: "/") ?? text.endIndex }
        return text[separator.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
    }

    /// Iterative glob with single-star backtracking: linear in practice, no recursion to exhaust.
    static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        let star = UInt8(ascii: "*")
        var p = 0
        var t = 0
        var lastStar = -1
        var resumeAt = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == star {
                lastStar = p
                resumeAt = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if lastStar >= 0 {
                p = lastStar + 1
                resumeAt += 1
                t = resumeAt
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
