// libFuzzer target: mapping FastCGI parameters (as nginx would send them, NAME=VALUE\0…) to a
// request must never crash, whatever a broken or hostile front end sends.
import FastCGI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var parameters: [String: String] = [:]
    for entry in bytes.split(separator: 0) {
        let text = String(decoding: entry, as: UTF8.self)
        if let equals = text.firstIndex(of: "=") {
            parameters[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
    }
    let request = HTTPRequest(parameters: parameters, body: Array(bytes.prefix(64)))
    _ = FormData(query: request.query)
    _ = RequestCookies(header: request.header("cookie"))
    _ = HTTPResponse(status: 200, headers: [("X-Echo", request.path)], body: request.body).serialized()
    return 0
}
