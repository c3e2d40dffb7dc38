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
        guard curlGlobalInit == CURLE_OK, let curl = curl_easy_init() else { return false }
        defer { curl_easy_cleanup(curl) }
        let setup = [
            curl_setopt_string(curl, CURLOPT_URL, url),
            curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "https"),
            curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0),
            curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1),
            curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 5),
            curl_setopt_long(curl, CURLOPT_TIMEOUT, 10),
            curl_setopt_callback(curl, CURLOPT_WRITEFUNCTION, discardCallback),
        ]
        guard setup.allSatisfy({ $0 == CURLE_OK }) else { return false }
        if let caFile, curl_setopt_string(curl, CURLOPT_CAINFO, caFile) != CURLE_OK { return false }
        guard curl_easy_perform(curl) == CURLE_OK else { return false }
        var status = 0
        curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return status == 200
    }

    public func post(_ body: [UInt8], to url: String) -> MailDeliveryResult {
        guard curlGlobalInit == CURLE_OK else { return .temporaryFailure("libcurl initialisation failed") }
        guard let curl = curl_easy_init() else { return .temporaryFailure("libcurl handle unavailable") }
        defer { curl_easy_cleanup(curl) }
        guard let headers = curl_slist_append(nil, "Content-Type: application/x-www-form-urlencoded") else {
            return .temporaryFailure("out of memory")
        }
        defer { curl_slist_free_all(headers) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let result = body.withUnsafeBufferPointer { bytes in
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer -> CURLcode in
                var setup = [
                    curl_setopt_string(curl, CURLOPT_URL, url),
                    curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"),
                    curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0),
                    curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1),
                    curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 10),
                    curl_setopt_long(curl, CURLOPT_TIMEOUT, 30),
                    curl_setopt_long(curl, CURLOPT_POST, 1),
                    curl_setopt_long(curl, CURLOPT_POSTFIELDSIZE, bytes.count),
                    curl_setopt_pointer(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)),
                    curl_setopt_pointer(curl, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)),
                    curl_setopt_callback(curl, CURLOPT_WRITEFUNCTION, discardCallback),
                    curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorPointer.baseAddress)),
                ]
                if let caFile { setup.append(curl_setopt_string(curl, CURLOPT_CAINFO, caFile)) }
                if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
                return curl_easy_perform(curl)
            }
        }
        var status = 0
        curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        // The service has received and handled the POST when it answers at all without an error:
        // CAS clients such as mod_auth_cas answer a honoured logout request with a redirect.
        if result == CURLE_OK && (200..<400).contains(status) { return .delivered }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let reason =
            result == CURLE_OK
            ? "http \(status)" : "curl \(result.rawValue): " + (detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
        // A refused request (4xx other than timeouts and throttling) will not succeed by repetition.
        if result == CURLE_OK, (400..<500).contains(status), status != 408, status != 429 { return .permanentFailure(reason) }
        return .temporaryFailure(reason)
    }
}

private let discardCallback: curl_io_callback = { _, size, count, _ in size * count }
