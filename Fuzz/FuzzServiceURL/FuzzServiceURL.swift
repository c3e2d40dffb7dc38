// libFuzzer target: service-URL parsing and matching must never crash, and a URL that matches a
// registered pattern must have that pattern's scheme, host and port (no lookalike ever matches).
import Identity

private let patterns: [(pattern: ServicePattern, origin: String)] = [
    ("https://app.example.org/*", "https://app.example.org:443"),
    ("https://app.example.org:8443/login?x=*", "https://app.example.org:8443"),
    ("http://127.0.0.1:9000/cas/*", "http://127.0.0.1:9000"),
].compactMap { entry in (try? ServicePattern.parse(entry.0).get()).map { ($0, entry.1) } }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServiceURL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = ServicePattern.parse(text)
    guard case .success(let url) = ServiceURL.parse(text) else { return 0 }
    for entry in patterns where entry.pattern.matches(url) {
        precondition(url.origin == entry.origin, "\(text) matched \(entry.pattern) from another origin")
    }
    return 0
}
