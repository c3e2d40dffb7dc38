import Foundation

/// One HTTP response, written back to nginx as a CGI response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int = 200, contentType: String, body: String) {
        self.init(status: status, headers: [("Content-Type", contentType)], body: Array(body.utf8))
    }

    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((name, value))
    }

    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Header names compare without regard to ASCII case, without making lower-cased copies.
    static func sameName(_ a: String, _ b: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte }
        return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    /// The CGI header block followed by the body.
    public func serialized() -> [UInt8] { serializedHead() + body }

    /// The CGI header block; the server writes the body after it without copying it in. Text is copied as whole
    /// UTF-8 buffers: going through `String.UTF8View` or interpolation a piece at a time cost more than the rest of
    /// a cached page's work.
    public func serializedHead() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        bytes += "Status: ".utf8
        Self.appendDecimal(status, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        Self.appendUTF8(Self.reason(status), to: &bytes)
        bytes += "\r\n".utf8
        for (name, value) in headers {
            Self.appendUTF8(name, to: &bytes)
            bytes += ": ".utf8
            Self.appendUTF8(value, to: &bytes)
            bytes += "\r\n".utf8
        }
        bytes += "Content-Length: ".utf8
        Self.appendDecimal(body.count, to: &bytes)
        bytes += "\r\n\r\n".utf8
        return bytes
    }

    /// Appends `text` without CR and LF: a header value (or name) must never be able to inject another header.
    /// Bytes, not Characters: "\r\n" is one Character in Swift and equals neither "\r" nor "\n".
    private static func appendUTF8(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            guard let start = utf8.baseAddress, !utf8.isEmpty else { return }
            if memchr(start, 0x0D, utf8.count) == nil && memchr(start, 0x0A, utf8.count) == nil {
                bytes.append(contentsOf: utf8)
            } else {
                bytes.append(contentsOf: utf8.lazy.filter { $0 != 0x0D && $0 != 0x0A })
            }
        }
    }

    private static func appendDecimal(_ number: Int, to bytes: inout [UInt8]) {
        guard number >= 0 else {
            bytes += String(number).utf8
            return
        }
        var divisor = 1
        while divisor <= number / 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(number / divisor % 10))
            divisor /= 10
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Turns requests into responses; the web layer implements it, the server calls it from many threads.
public protocol Responder: Sendable {
    func respond(to request: HTTPRequest) -> HTTPResponse
}
