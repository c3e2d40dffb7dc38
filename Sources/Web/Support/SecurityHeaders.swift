import FastCGI

/// Headers every response carries: no framing, no inline script, no referrer, no sniffing.
enum SecurityHeaders {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "media-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
    ].joined(separator: "; ")

    static func apply(to response: inout HTTPResponse, secure: Bool) {
        response.addHeader("Content-Security-Policy", contentSecurityPolicy)
        response.addHeader("X-Frame-Options", "DENY")
        response.addHeader("Referrer-Policy", "no-referrer")
        response.addHeader("X-Content-Type-Options", "nosniff")
        if response.header("Cache-Control") == nil { response.addHeader("Cache-Control", "no-store") }
        if secure { response.addHeader("Strict-Transport-Security", "max-age=31536000") }
    }
}
