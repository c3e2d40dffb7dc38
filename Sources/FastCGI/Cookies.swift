import Foundation

/// Cookies sent by the browser. Malformed pairs are skipped; oversized headers yield no cookies.
public struct RequestCookies: Sendable {
    public static let maximumHeaderBytes = 8192
    /// The header's bytes and where each pair's name and value lie in them, in the order sent. Nothing is decoded
    /// until asked for: every request parses the header and reads two or three of its cookies.
    private var bytes: [UInt8] = []
    private var pairs: [(name: Range<Int>, value: Range<Int>)] = []

    public init(header: String?) {
        guard let header, header.utf8.count <= Self.maximumHeaderBytes else { return }
        // Bytes rather than Characters: this runs on every request, and every delimiter is ASCII.
        bytes = Array(header.utf8)
        pairs.reserveCapacity(8)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var low = start
            var high = end
            while low < high, Self.isBlank(bytes[low]) { low += 1 }
            while high > low, Self.isBlank(bytes[high - 1]) { high -= 1 }
            if let equals = bytes[low..<high].firstIndex(of: UInt8(ascii: "=")) {
                var valueStart = equals + 1
                var valueEnd = high
                if valueEnd - valueStart >= 2, bytes[valueStart] == UInt8(ascii: "\""), bytes[valueEnd - 1] == UInt8(ascii: "\"") {
                    valueStart += 1
                    valueEnd -= 1
                }
                pairs.append((low..<equals, valueStart..<valueEnd))
            }
            start = end + 1
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// The value of the first cookie called `name`: browsers send the most specific first. A look-up is linear in
    /// the number of cookies, which the header's size bounds; keeping every pair (rather than the first of each
    /// name) keeps parsing linear too.
    public subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                let found = pairs.first { pair in
                    pair.name.count == wanted.count
                        && (wanted.isEmpty || memcmp(all.baseAddress! + pair.name.lowerBound, wanted.baseAddress!, wanted.count) == 0)
                }
                return found.map { String(decoding: UnsafeBufferPointer(rebasing: all[$0.value]), as: UTF8.self) }
            }
        }
    }
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
