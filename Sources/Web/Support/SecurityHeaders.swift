import FastCGI

/// Headers every response carries: no framing, no inline script, no referrer, no sniffing.
enum SecurityHeaders {
    static let contentSecurityPolicy = contentSecurityPolicy(formAction: nil)

    /// The policy, with forms allowed to go to one more origin (a CAS service receiving a ticket by POST).
    static func contentSecurityPolicy(formAction origin: String?) -> String {
        [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
            "media-src 'self'", "form-action 'self'" + (origin.map { " " + $0 } ?? ""), "frame-ancestors 'none'", "base-uri 'none'",
            "object-src 'none'",
        ].joined(separator: "; ")
    }

    /// A handler may have set its own (stricter or widened) policy; every other header is fixed.
    static func apply(to response: inout HTTPResponse, secure: Bool) {
        response.headers.reserveCapacity(response.headers.count + 6)
        if response.header("Content-Security-Policy") == nil { response.addHeader("Content-Security-Policy", contentSecurityPolicy) }
        response.addHeader("X-Frame-Options", "DENY")
        response.addHeader("Referrer-Policy", "no-referrer")
        response.addHeader("X-Content-Type-Options", "nosniff")
        if response.header("Cache-Control") == nil { response.addHeader("Cache-Control", "no-store") }
        if secure { response.addHeader("Strict-Transport-Security", "max-age=31536000") }
    }
}
