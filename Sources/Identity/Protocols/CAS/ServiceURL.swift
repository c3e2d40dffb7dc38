/// A service URL taken apart for comparison: scheme and host lower-cased, the port made explicit.
/// Parsing refuses whatever could make two readers of the URL disagree about where it leads.
public struct ServiceURL: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Everything after the authority: path (at least "/") and query, exactly as given.
    public var pathAndQuery: String

    /// The origin for a `form-action` source: scheme, host and port.
    public var origin: String { "\(scheme)://\(host):\(port)" }

    public static let maximumLength = 2048

    /// Why a URL cannot be a service URL.
    public enum Problem: String, Sendable, Error {
        case tooLong = "longer than 2048 characters"
        case forbiddenCharacter = "contains a space, control character, backslash or fragment"
        case notHTTP = "scheme must be http or https"
        case userInfo = "contains user information (@) before the host"
        case badHost = "host must be a DNS name or IPv4 address"
        case badPort = "port must be a number from 1 to 65535"
        case encodedSeparator = "path contains an encoded slash, backslash or dot (%2F, %5C, %2E)"
        case dotSegment = "path contains a . or .. segment"
    }

    public static func parse(_ raw: String) -> Result<ServiceURL, Problem> {
        guard raw.utf8.count <= maximumLength else { return .failure(.tooLong) }
        if raw.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F || $0 == "\\" || $0 == "#" }) {
            return .failure(.forbiddenCharacter)
        }
        guard let separator = raw.firstRange(of: "://") else { return .failure(.notHTTP) }
        let scheme = raw[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return .failure(.notHTTP) }
        let rest = raw[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if authority.utf8.contains(UInt8(ascii: "@")) { return .failure(.userInfo) }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                let value = Int(digits), (1...65535).contains(value)
            else { return .failure(.badPort) }
            port = value
        }
        guard isDNSName(host) else { return .failure(.badHost) }
        var pathAndQuery = String(rest[authorityEnd...])
        if pathAndQuery.isEmpty || pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }
        let path = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let lowered = path.lowercased()
        if ["%2f", "%5c", "%2e"].contains(where: { lowered.firstRange(of: $0) != nil }) { return .failure(.encodedSeparator) }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            return .failure(.dotSegment)
        }
        return .success(ServiceURL(scheme: scheme, host: host.lowercased(), port: port, pathAndQuery: pathAndQuery))
    }

    /// Letters, digits, hyphens and dots in non-empty labels: no percent-encoding, no IPv6, no trailing dot.
    static func isDNSName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                }
        }
    }
}

/// `url` with `name=value` added to its query, keeping everything already there.
public func appendingQueryParameter(_ url: String, name: String, value: String) -> String {
    url + (url.utf8.contains(UInt8(ascii: "?")) ? "&" : "?") + name + "=" + value
}
