internal import CCurl
import Foundation

/// Sends one form-encoded POST.
public protocol PostTransport: Sendable {
    func post(_ body: [UInt8], to url: String) -> MailDeliveryResult
}

/// HTTP through libcurl for back-channel POSTs and proxy callbacks: certificates verified (against
/// `caFile` when set), no redirects followed, short timeouts. The answer's body is ignored; its status decides.
public struct HTTPTransport: PostTransport, CallbackTransport {
    public let caFile: String?

    public init(caFile: String?) {
        self.caFile = caFile
    }

    public func confirm(_ url: String) -> Bool {
        guard let curl = la_curl_easy_init() else { return false }
        defer { la_curl_easy_cleanup(curl) }
        let setup = baseOptions(curl, url: url, protocols: "https", connectTimeout: 5, timeout: 10)
        guard setup.allSatisfy({ $0 == CURLE_OK }) else { return false }
        guard la_curl_easy_perform(curl) == CURLE_OK else { return false }
        var status = 0
        la_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return status == 200
    }

    public func post(_ body: [UInt8], to url: String) -> MailDeliveryResult {
        let answer = exchange(method: "POST", url: url, headers: ["Content-Type: application/x-www-form-urlencoded"], body: body)
        // The service has received and handled the POST when it answers at all without an error:
        // CAS clients such as mod_auth_cas answer a honoured logout request with a redirect.
        if case .status(let status) = answer, (200..<400).contains(status) { return .delivered }
        return answer.failure
    }

    /// What an HTTP exchange came to.
    enum Answer: Equatable {
        case status(Int)
        /// No answer: the reason, for logs.
        case unanswered(String)

        /// The failure it stands for: a refused request (4xx other than timeouts and throttling) will not succeed by
        /// repetition; anything else may.
        var failure: MailDeliveryResult {
            switch self {
            case .status(let status) where (400..<500).contains(status) && status != 408 && status != 429:
                .permanentFailure("http \(status)")
            case .status(let status): .temporaryFailure("http \(status)")
            case .unanswered(let reason): .temporaryFailure(reason)
            }
        }
    }

    /// One request without following redirects; `method` is GET (no body sent), POST or another verb with a body.
    func exchange(method: String, url: String, headers: [String], body: [UInt8]) -> Answer {
        if let failure = la_curl_load_error() { return .unanswered(String(cString: failure)) }
        guard let curl = la_curl_easy_init() else { return .unanswered("libcurl handle unavailable") }
        defer { la_curl_easy_cleanup(curl) }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            guard let extended = la_curl_slist_append(list, header) else {
                la_curl_slist_free_all(list)
                return .unanswered("out of memory")
            }
            list = extended
        }
        defer { la_curl_slist_free_all(list) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let result = body.withUnsafeBufferPointer { bytes in
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer -> CURLcode in
                var setup = baseOptions(curl, url: url, protocols: "http,https", connectTimeout: 10, timeout: 30)
                setup.append(la_curl_setopt_pointer(curl, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)))
                setup.append(la_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorPointer.baseAddress)))
                if method == "GET" {
                    setup.append(la_curl_setopt_long(curl, CURLOPT_HTTPGET, 1))
                } else {
                    setup.append(la_curl_setopt_long(curl, CURLOPT_POST, 1))
                    setup.append(la_curl_setopt_long(curl, CURLOPT_POSTFIELDSIZE, bytes.count))
                    // Copied, and never a null pointer (with which libcurl would read the body from stdin).
                    if let base = bytes.baseAddress {
                        setup.append(la_curl_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base)))
                    } else {
                        setup.append(la_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, ""))
                    }
                    if method != "POST" { setup.append(la_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, method)) }
                }
                if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
                return la_curl_easy_perform(curl)
            }
        }
        if result == CURLE_OK {
            var status = 0
            la_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
            return .status(status)
        }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .unanswered("curl \(result.rawValue): " + (detail.isEmpty ? String(cString: la_curl_easy_strerror(result)) : detail))
    }
}

extension HTTPTransport {
    /// What every request here sets: the URL and the schemes it may use, no redirects followed, no signals, the
    /// timeouts, the answer's body discarded, and the trusted CA certificates when `caFile` is set.
    fileprivate func baseOptions(_ curl: UnsafeMutableRawPointer, url: String, protocols: String, connectTimeout: Int, timeout: Int)
        -> [CURLcode]
    {
        var options = [
            la_curl_setopt_string(curl, CURLOPT_URL, url),
            la_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, protocols),
            la_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0),
            la_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1),
            la_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, connectTimeout),
            la_curl_setopt_long(curl, CURLOPT_TIMEOUT, timeout),
            la_curl_setopt_callback(curl, CURLOPT_WRITEFUNCTION, discardCallback),
        ]
        if let caFile { options.append(la_curl_setopt_string(curl, CURLOPT_CAINFO, caFile)) }
        return options
    }
}

private let discardCallback: la_curl_io_callback = { _, size, count, _ in size * count }
