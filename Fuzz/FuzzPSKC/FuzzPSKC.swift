// libFuzzer target: token files (PSKC and CSV) must never crash the import, and whatever they yield must be a
// token the rest of the appliance can use (normalised serial, 6–8 digits, a 16–64-byte secret).
import Identity
import TokenFiles

/// The RFC 6030 pre-shared key, so that the seed corpus's encrypted example reaches the MAC and decryption.
private let preSharedKey: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPSKC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for format in TokenFile.Format.allCases {
        guard case .success(let tokens) = TokenFile.parse(bytes, format: format, preSharedKey: preSharedKey) else { continue }
        for token in tokens {
            precondition(!token.serial.isEmpty && token.serial == HardwareTokens.normalize(serial: token.serial))
            precondition((6...8).contains(token.digits) && (16...64).contains(token.secret.count))
            precondition((token.kind == .ocra) == (token.ocraSuite != nil))
        }
    }
    return 0
}
