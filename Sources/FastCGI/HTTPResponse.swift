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

    /// The CGI header block, built byte by byte; the server writes the body after it without copying it in.
    public func serializedHead() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        bytes += "Status: \(status) \(Self.reason(status))\r\n".utf8
        for (name, value) in headers {
            bytes += name.utf8
            bytes += ": ".utf8
            // A header value must never be able to inject another header. Bytes, not Characters: "\r\n" is one
            // Character in Swift and equals neither "\r" nor "\n". Values are copied whole unless they hold one.
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) {
                for byte in value.utf8 where byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") { bytes.append(byte) }
            } else {
                bytes += value.utf8
            }
            bytes += "\r\n".utf8
        }
        bytes += "Content-Length: \(body.count)\r\n\r\n".utf8
        return bytes
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
