import FastCGI
import Foundation
import Web

/// A browser for in-process tests: calls the responder directly and keeps cookies.
public final class TestClient {
    public let app: WebApp
    public var cookies: [String: String] = [:]
    public var ip = "192.0.2.10"

    public init(app: WebApp) {
        self.app = app
    }

    @discardableResult
    public func get(_ target: String, headers: [String: String] = [:]) -> HTTPResponse {
        send(method: "GET", target: target, body: [], headers: headers)
    }

    @discardableResult
    public func post(_ target: String, form: [String: String], withCSRF: Bool = true) -> HTTPResponse {
        var fields = form
        if withCSRF, fields["csrf"] == nil { fields["csrf"] = csrfToken() }
        let body = fields.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
        return send(method: "POST", target: target, body: Array(body.utf8), headers: ["content-type": "application/x-www-form-urlencoded"])
    }

    public func send(method: String, target: String, body: [UInt8], headers: [String: String] = [:]) -> HTTPResponse {
        let parts = target.split(separator: "?", maxSplits: 1)
        var allHeaders = headers
        if !cookies.isEmpty, allHeaders["cookie"] == nil {
            allHeaders["cookie"] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let request = HTTPRequest(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", headers: allHeaders,
            body: body, remoteAddress: ip, isSecure: true, requestID: "test")
        let response = app.respond(to: request)
        for (name, value) in response.headers where name == "Set-Cookie" {
            let pair = value.split(separator: ";")[0]
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if value.contains("Max-Age=0") {
                cookies[String(kv[0])] = nil
            } else {
                cookies[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
            }
        }
        return response
    }

    /// The CSRF token a page would carry (loads the sign-in page when no seed cookie exists yet).
    public func csrfToken() -> String {
        let page = text(get("/login"))
        guard let range = page.range(of: #"name="csrf" value="[^"]+""#, options: .regularExpression) else { return "" }
        return String(page[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    public func text(_ response: HTTPResponse) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    private func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }
}
