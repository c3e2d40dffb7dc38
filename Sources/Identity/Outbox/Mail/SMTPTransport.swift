internal import CCurl
import Foundation

/// Sends each message to an SMTP server through libcurl (STARTTLS, AUTH, certificate checks).
public struct SMTPTransport: MailTransport {
    public let configuration: SMTPConfiguration

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    public func deliver(_ message: [UInt8], messageID: String, from: String, to: String) -> MailDeliveryResult {
        // CR/LF or ">" in an envelope address would let it write its own SMTP commands.
        guard EnvelopeAddress.isValid(from), EnvelopeAddress.isValid(to) else {
            return .permanentFailure("invalid envelope address")
        }
        if let failure = la_curl_load_error() { return .temporaryFailure(String(cString: failure)) }
        guard let curl = la_curl_easy_init() else { return .temporaryFailure("libcurl handle unavailable") }
        defer { la_curl_easy_cleanup(curl) }
        guard let recipients = la_curl_slist_append(nil, "<" + to + ">") else {
            return .temporaryFailure("out of memory")
        }
        defer { la_curl_slist_free_all(recipients) }

        let source = UploadSource(message)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let result = errorBuffer.withUnsafeMutableBufferPointer { errorPointer -> CURLcode in
            var setup = [
                la_curl_setopt_string(curl, CURLOPT_URL, configuration.serverURL),
                la_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps"),
                la_curl_setopt_string(curl, CURLOPT_MAIL_FROM, "<" + from + ">"),
                la_curl_setopt_pointer(curl, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients)),
                la_curl_setopt_long(curl, CURLOPT_USE_SSL, useSSL),
                la_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1),
                la_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 10),
                la_curl_setopt_long(curl, CURLOPT_TIMEOUT, 60),
                la_curl_setopt_long(curl, CURLOPT_UPLOAD, 1),
                la_curl_setopt_callback(curl, CURLOPT_READFUNCTION, uploadCallback),
                la_curl_setopt_pointer(curl, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque()),
                la_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorPointer.baseAddress)),
            ]
            if let username = configuration.username {
                setup.append(la_curl_setopt_string(curl, CURLOPT_USERNAME, username))
                setup.append(la_curl_setopt_string(curl, CURLOPT_PASSWORD, configuration.password ?? ""))
            }
            if let caFile = configuration.caFile {
                setup.append(la_curl_setopt_string(curl, CURLOPT_CAINFO, caFile))
            }
            if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
            return la_curl_easy_perform(curl)
        }
        withExtendedLifetime(source) {}
        if result == CURLE_OK { return .delivered }

        var responseCode = 0
        la_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &responseCode)
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let reason =
            "smtp \(responseCode == 0 ? "-" : String(responseCode)) curl \(result.rawValue): "
            + (detail.isEmpty ? String(cString: la_curl_easy_strerror(result)) : detail)
        return Self.classify(curlCode: result, responseCode: responseCode, reason: reason)
    }

    /// 5xx from the server means the message or recipient was refused; everything else (4xx,
    /// network, TLS, a rejected login: the operator can fix those) is worth another try.
    static func classify(curlCode: CURLcode, responseCode: Int, reason: String) -> MailDeliveryResult {
        if (500..<600).contains(responseCode), curlCode != CURLE_LOGIN_DENIED, curlCode != CURLE_USE_SSL_FAILED {
            return .permanentFailure(reason)
        }
        return .temporaryFailure(reason)
    }

    private var useSSL: Int {
        switch configuration.security {
        case .none: Int(CURLUSESSL_NONE.rawValue)
        case .opportunistic: Int(CURLUSESSL_TRY.rawValue)
        case .required, .implicit: Int(CURLUSESSL_ALL.rawValue)
        }
    }
}

/// The message bytes and how far libcurl has read them.
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

private let uploadCallback: la_curl_io_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBufferPointer { all in
        UnsafeMutableRawPointer(buffer).copyMemory(from: all.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
