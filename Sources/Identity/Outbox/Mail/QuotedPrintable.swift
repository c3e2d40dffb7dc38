/// Quoted-printable body encoding (RFC 2045 §6.7) with CRLF line breaks and lines of at most 76.
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes UTF-8 text; any of CRLF, CR or LF in the input becomes a CRLF hard line break.
    static func encode(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalised.split(separator: "\n", omittingEmptySubsequences: false)
            .map { encodeLine(Array($0.utf8)) }
            .joined(separator: "\r\n")
    }

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var column = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token = tokenFor(byte, isLast: isLast, atLineStart: column == 0, rest: bytes[index...])
            // Leave room for the "=" of a soft break unless this is the line's final token.
            if column + token.count > (isLast ? 76 : 75) {
                out += Array("=\r\n".utf8)
                column = 0
            }
            let placed = column == 0 ? tokenFor(byte, isLast: isLast, atLineStart: true, rest: bytes[index...]) : token
            out += placed
            column += placed.count
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Literal for safe printable ASCII; "=XX" otherwise. A "." or "From " at the start of a
    /// physical line is encoded too, so no relay can mangle it by dot-stuffing or mbox quoting.
    private static func tokenFor(_ byte: UInt8, isLast: Bool, atLineStart: Bool, rest: ArraySlice<UInt8>) -> [UInt8] {
        let printable = (33...126).contains(byte) && byte != UInt8(ascii: "=")
        let innerSpace = (byte == 0x20 || byte == 0x09) && !isLast
        let riskyStart = atLineStart && (byte == UInt8(ascii: ".") || rest.starts(with: Array("From ".utf8)))
        if (printable || innerSpace) && !riskyStart { return [byte] }
        return [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}
