// libFuzzer target: URL-encoded form and query decoding must never crash, and what it accepts
// must survive re-encoding unchanged.
import FastCGI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let form = FormData(urlEncoded: bytes) else { return 0 }
    if let first = form["a"] {
        let again = FormData(query: "a=" + FormData.encode(first))
        precondition(again?["a"] == first, "re-encoding changed a value")
    }
    return 0
}
