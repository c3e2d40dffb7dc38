/// One HTTP request as nginx hands it over FastCGI.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The normalised path without the query string (nginx's `$document_uri`).
    public var path: String
    /// The raw query string, still percent-encoded.
    public var query: String
    /// Header values by lower-case name.
    public var headers: [String: String]
    public var body: [UInt8]
    public var remoteAddress: String
    public var isSecure: Bool
    /// Correlates log lines of one request; nginx's `$request_id` when present.
    public var requestID: String

    public init(
        method: String, path: String, query: String = "", headers: [String: String] = [:],
        body: [UInt8] = [], remoteAddress: String = "127.0.0.1", isSecure: Bool = false,
        requestID: String = "-"
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
        self.requestID = requestID
    }

    /// `HTTP_USER_AGENT` → `user-agent`, byte by byte: this runs for every header of every request.
    static func headerName(cgiName: String) -> String {
        String(
            decoding: cgiName.utf8.dropFirst(5).map { byte in
                switch byte {
                case UInt8(ascii: "_"): UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }, as: UTF8.self)
    }

    /// Maps FastCGI parameters (CGI/1.1 variables) to a request. Never fails: missing
    /// values become empty, so a hostile or broken front end cannot crash a worker.
    public init(parameters: [String: String], body: [UInt8]) {
        var headers: [String: String] = [:]
        for (name, value) in parameters where name.hasPrefix("HTTP_") {
            headers[Self.headerName(cgiName: name)] = value
        }
        if let type = parameters["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        let uri = parameters["DOCUMENT_URI"] ?? parameters["SCRIPT_NAME"] ?? "/"
        self.init(
            method: (parameters["REQUEST_METHOD"] ?? "GET").uppercased(),
            path: uri.isEmpty ? "/" : uri,
            query: parameters["QUERY_STRING"] ?? "",
            headers: headers,
            body: body,
            remoteAddress: parameters["REMOTE_ADDR"] ?? "",
            isSecure: (parameters["HTTPS"] ?? "").lowercased() == "on",
            requestID: parameters["REQUEST_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? "-"
        )
    }

    public func header(_ name: String) -> String? { headers[name] }
}
