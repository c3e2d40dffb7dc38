import Foundation

/// Header field rendering: sanitising (no CR/LF can ever reach the wire), RFC 2047 encoding and folding.
enum MailHeader {
    /// Lines are folded to stay within RFC 5322's recommended 78 characters.
    static let lineLimit = 78
    /// UTF-8 bytes per encoded-word: 42 bytes are 56 base64 characters, so `=?utf-8?B?…?=` is 68
    /// characters and fits after the longest header name we write ("Subject: ").
    static let bytesPerEncodedWord = 42

    /// Names the renderer writes itself; an extra header must not duplicate or override them.
    static let reservedNames: Set<String> = [
        "date", "from", "to", "subject", "message-id", "mime-version", "content-type",
        "content-transfer-encoding",
    ]

    /// `Name: value` for values that are already known to be short and plain.
    static func line(name: String, value: String) -> String {
        name + ": " + sanitised(value)
    }

    /// An unstructured field (RFC 5322 §3.2.5): plain and folded when it can be, otherwise
    /// RFC 2047 encoded-words, one per line. Extra headers keep long plain words (they may be URLs
    /// that must not be encoded) as long as the line stays far below the 998-octet hard limit.
    static func unstructured(name: String, value: String, encodeLongWords: Bool = true) -> String {
        let clean = sanitised(value)
        let words = clean.isEmpty ? [] : clean.split(separator: " ").map(String.init)
        let longest = encodeLongWords ? 70 : 900
        if isPlain(clean), words.allSatisfy({ $0.utf8.count <= longest }) {
            return fold(name: name, words: words)
        }
        return fold(name: name, words: encodedWords(clean))
    }

    /// `Name: display name <address>`; the display name is an atom phrase, a quoted-string when it
    /// holds specials, or encoded-words when it is not ASCII.
    static func mailbox(name: String, _ mailbox: MailAddress) -> String {
        let address = sanitisedAddress(mailbox.address)
        let display = sanitised(mailbox.name)
        guard !display.isEmpty else { return fold(name: name, words: [address]) }
        var words: [String]
        if isPlain(display), display.split(separator: " ").allSatisfy({ $0.utf8.count <= 70 }) {
            let phrase = display.unicodeScalars.contains(where: isSpecial) ? quoted(display) : display
            words = phrase.split(separator: " ").map(String.init)
        } else {
            words = encodedWords(display)
        }
        words.append("<" + address + ">")
        return fold(name: name, words: words)
    }

    /// Joins `words` with single spaces, breaking lines before a word that would pass the limit.
    /// Unfolding only removes the CRLF, so breaking at an existing space loses nothing.
    static func fold(name: String, words: [String]) -> String {
        var lines: [String] = []
        var current = name + ":"
        var currentHasWord = false
        for word in words {
            if currentHasWord, current.utf8.count + 1 + word.utf8.count > lineLimit {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
            currentHasWord = true
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2047 "B" encoded-words, split between Unicode scalars so each word decodes on its own.
    static func encodedWords(_ text: String) -> [String] {
        var chunks: [[UInt8]] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerEncodedWord {
                chunks.append(chunk)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { chunks.append(chunk) }
        return chunks.map { "=?utf-8?B?" + Data($0).base64EncodedString() + "?=" }
    }

    /// Removes CR, LF and every other control or line-separator character (the header-injection
    /// vectors), turns tabs into spaces and collapses runs of spaces.
    static func sanitised(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in value.unicodeScalars {
            if scalar == " " || scalar == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else if !isControl(scalar) {
                out.append(scalar)
                lastWasSpace = false
            }
        }
        if out.last == " " { out.removeLast() }
        return String(out)
    }

    /// Keeps only what an unquoted addr-spec may hold (atext, ".", "@", and non-ASCII letters for
    /// internationalised addresses), so an address can neither break the line nor add a mailbox.
    static func sanitisedAddress(_ address: String) -> String {
        String(String.UnicodeScalarView(address.unicodeScalars.filter { isAtext($0) || $0 == "." || $0 == "@" }))
    }

    /// A message id reduced to atext, "." and "@" (no brackets), at most 250 characters.
    static func sanitisedMessageID(_ id: String) -> String {
        let kept = id.unicodeScalars.filter { $0.isASCII && (isAtext($0) || $0 == "." || $0 == "@") }
        return String(String.UnicodeScalarView(kept.prefix(250)))
    }

    /// A host name reduced to lower-case letters, digits, "-" and ".".
    static func sanitisedDomain(_ domain: String) -> String {
        let kept = domain.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        }
        return String(String.UnicodeScalarView(kept.prefix(200)))
    }

    /// A field name is printable ASCII without ":" (RFC 5322 §2.2).
    static func sanitisedFieldName(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.filter { (33...126).contains($0.value) && $0 != ":" }))
    }

    /// Printable ASCII that cannot be mistaken for an encoded-word.
    private static func isPlain(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (32...126).contains($0.value) } && !text.contains("=?")
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func isSpecial(_ scalar: Unicode.Scalar) -> Bool {
        "()<>[]:;@\\,.\"".unicodeScalars.contains(scalar)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 32 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        if !scalar.isASCII { return !isControl(scalar) && !scalar.properties.isWhitespace }
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }
}
