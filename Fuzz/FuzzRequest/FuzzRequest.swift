// libFuzzer target: mapping FastCGI parameters (as nginx would send them, NAME=VALUE\0…) to a
// request must never crash, whatever a broken or hostile front end sends.
import FastCGI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The C string array libfcgi hands over: each NUL-separated piece becomes one entry.
    var entries: [UnsafeMutablePointer<CChar>?] = bytes.split(separator: 0, omittingEmptySubsequences: false).map { piece in
        let entry = UnsafeMutablePointer<CChar>.allocate(capacity: piece.count + 1)
        for (offset, byte) in piece.enumerated() { entry[offset] = CChar(bitPattern: byte) }
        entry[piece.count] = 0
        return entry
    }
    defer { entries.forEach { $0?.deallocate() } }
    entries.append(nil)
    let parameters = entries.withUnsafeMutableBufferPointer { FastCGIServer.parameters($0.baseAddress) }
    let request = HTTPRequest(parameters: parameters, body: Array(bytes.prefix(64)))
    _ = FormData(query: request.query)
    _ = RequestCookies(header: request.header("cookie"))
    _ = HTTPResponse(status: 200, headers: [("X-Echo", request.path)], body: request.body).serialized()
    return 0
}
