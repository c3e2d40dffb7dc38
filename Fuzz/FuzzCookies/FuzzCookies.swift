// libFuzzer target: cookie header parsing must never crash on any bytes a browser or attacker sends.
import FastCGI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCookies(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let cookies = RequestCookies(header: header)
    _ = cookies["la_sso"]
    _ = cookies["la_csrf"]
    // A name the input itself spells, so that the byte comparison of names runs on hostile input too.
    _ = cookies[String(header.prefix { $0 != "=" })]
    return 0
}
