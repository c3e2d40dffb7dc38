import Foundation

/// Cookies sent by the browser. Malformed pairs are skipped; oversized headers yield no cookies.
public struct RequestCookies: Sendable {
    public static let maximumHeaderBytes = 8192
    private var values: [String: String] = [:]

    public init(header: String?) {
        guard let header, header.utf8.count <= Self.maximumHeaderBytes else { return }
        for pair in header.split(separator: ";") {
            let trimmed = pair.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            let name = String(trimmed[..<equals])
            var value = String(trimmed[trimmed.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            // The first cookie of a name wins, as browsers send the most specific first.
            if values[name] == nil { values[name] = value }
        }
    }

    public subscript(name: String) -> String? { values[name] }
}

/// A `Set-Cookie` header value with the house defaults: host-only, HttpOnly, SameSite=Lax.
public struct SetCookie: Sendable {
    public var name: String
    public var value: String
    /// nil makes a session cookie (gone when the browser closes).
    public var maxAge: Int?
    public var secure: Bool
    public var httpOnly = true

    public init(name: String, value: String, maxAge: Int? = nil, secure: Bool, httpOnly: Bool = true) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.secure = secure
        self.httpOnly = httpOnly
    }

    public static func expired(_ name: String, secure: Bool) -> SetCookie {
        SetCookie(name: name, value: "", maxAge: 0, secure: secure)
    }

    public var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=/", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        return parts.joined(separator: "; ")
    }
}
