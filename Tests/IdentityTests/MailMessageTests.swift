import Foundation
import Identity
import TestSupport
import Testing

/// A rendered message taken apart again the way a receiving client would.
private struct ParsedMail {
    let raw: String
    let headerLines: [String]
    /// Unfolded header fields in order.
    let fields: [(name: String, value: String)]
    let body: String

    init(_ bytes: [UInt8]) throws {
        raw = try #require(String(validating: bytes, as: UTF8.self))
        let split = try #require(raw.range(of: "\r\n\r\n"))
        let head = String(raw[..<split.lowerBound])
        body = String(raw[split.upperBound...])
        headerLines = head.components(separatedBy: "\r\n")
        var fields: [(String, String)] = []
        for line in headerLines {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                try #require(!fields.isEmpty, "continuation line before any field")
                fields[fields.count - 1].1 += line
            } else {
                let colon = try #require(line.firstIndex(of: ":"))
                fields.append((String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst())))
            }
        }
        self.fields = fields
    }

    func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    func value(_ name: String) throws -> String {
        let found = values(name)
        try #require(found.count == 1, "expected one \(name) header, found \(found.count)")
        return found[0]
    }

    /// The MIME parts between the boundaries, each as (headers, decoded body).
    func parts() throws -> [(headers: String, text: String)] {
        let contentType = try value("Content-Type")
        let boundary = try #require(contentType.components(separatedBy: "boundary=\"").last?.dropLast())
        let pieces = body.components(separatedBy: "--" + boundary)
        try #require(pieces.count == 4, "preamble, two parts, epilogue")
        #expect(pieces[3] == "--\r\n")
        return try pieces[1...2].map { piece in
            try #require(piece.hasPrefix("\r\n"), "the boundary line ends in CRLF")
            let inner = try #require(piece.range(of: "\r\n\r\n"))
            let encoded = String(piece[inner.upperBound...])
            try #require(encoded.hasSuffix("\r\n"))
            return (
                String(piece[..<inner.lowerBound].dropFirst()), try decodeQuotedPrintable(String(encoded.dropLast()))
            )  // "\r\n" is one Character
        }
    }
}

/// Undoes RFC 2045 quoted-printable: soft breaks vanish, "=XX" becomes the byte.
private func decodeQuotedPrintable(_ text: String) throws -> String {
    let bytes = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "=") {
            try #require(index + 2 < bytes.count, "dangling '=' in quoted-printable")
            let hex = try #require(String(bytes: bytes[index + 1...index + 2], encoding: .ascii))
            out.append(try #require(UInt8(hex, radix: 16)))
            index += 3
        } else {
            out.append(bytes[index])
            index += 1
        }
    }
    return try #require(String(validating: out, as: UTF8.self))
}

/// Undoes RFC 2047: a run of "B" encoded-words separated by folding whitespace becomes its text.
private func decodeEncodedWords(_ value: String) throws -> String {
    let words = value.split(whereSeparator: { $0 == " " || $0 == "\r" || $0 == "\n" })
    var bytes: [UInt8] = []
    for word in words {
        try #require(word.hasPrefix("=?utf-8?B?") && word.hasSuffix("?="), "not an encoded-word: \(word)")
        try #require(word.count <= 75, "encoded-word longer than 75")
        let payload = word.dropFirst(10).dropLast(2)
        let decoded = try #require(Data(base64Encoded: String(payload)))
        // Each word must be whole characters on its own (RFC 2047 §5).
        try #require(String(validating: [UInt8](decoded), as: UTF8.self) != nil, "word splits a character")
        bytes += decoded
    }
    return try #require(String(validating: bytes, as: UTF8.self))
}

private func message(
    subject: String = "Your sign-in code", text: String = "Hello\nYour code is 123456.\n",
    html: String = "<p>Hello</p><p>Your code is <b>123456</b>.</p>",
    from: MailAddress = MailAddress(name: "Login", address: "login@example.org"),
    to: MailAddress = MailAddress(name: "Ada Lovelace", address: "ada@example.org"), id: String = "abc123@example.org",
    extra: [(String, String)] = []
) -> MailMessage {
    MailMessage(
        from: from, to: to, subject: subject, text: text, html: html, date: Date(timeIntervalSince1970: 1_800_000_000),
        messageID: id, extraHeaders: extra)
}

private let longUnicode = String(repeating: "Grüße aus Zürich – ünïcødé 🎉 ", count: 8)

@Test func everyLineEndsInCRLFAndNoBareLineBreakExists() throws {
    let bytes = message(subject: longUnicode, text: "a\nb\rc\r\nd\n\n" + longUnicode, html: longUnicode).rfc5322()
    for (index, byte) in bytes.enumerated() {
        if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)") }
        if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
    }
    #expect(bytes.suffix(2) == [0x0D, 0x0A])
}

@Test func headerLinesStayWithin78AndBodyLinesWithin76() throws {
    let mail = try ParsedMail(
        message(
            subject: longUnicode, text: String(repeating: "x", count: 500) + "\n" + longUnicode,
            html: String(repeating: "<p>é</p>", count: 200),
            to: MailAddress(name: String(repeating: "Ünïcødé Name ", count: 10), address: "u@example.org"),
            extra: [
                ("List-Unsubscribe", "<https://example.org/unsubscribe?" + String(repeating: "t", count: 120) + ">")
            ]
        ).rfc5322())
    for line in mail.headerLines where !line.hasPrefix("List-Unsubscribe") {
        #expect(line.utf8.count <= 78, "header line too long: \(line)")
    }
    for line in mail.headerLines { #expect(line.utf8.count <= 998) }
    for line in mail.body.components(separatedBy: "\r\n") {
        #expect(line.utf8.count <= 76, "body line too long: \(line)")
        #expect(line.unicodeScalars.allSatisfy { $0.isASCII }, "body is 7-bit")
    }
}

@Test func nonASCIISubjectIsEncodedAndDecodesBack() throws {
    let mail = try ParsedMail(message(subject: longUnicode).rfc5322())
    let subject = try mail.value("Subject")
    #expect(subject.unicodeScalars.allSatisfy { $0.isASCII })
    #expect(try decodeEncodedWords(subject) == longUnicode.trimmingCharacters(in: .whitespaces))
}

@Test func plainLongSubjectIsFoldedAtSpacesAndUnfoldsToTheOriginal() throws {
    let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
    let mail = try ParsedMail(message(subject: subject).rfc5322())
    #expect(try mail.value("Subject") == subject)
    #expect(mail.headerLines.filter { $0.hasPrefix(" ") }.count >= 2)
}

@Test func subjectThatLooksEncodedIsEncodedSoItStaysLiteral() throws {
    let mail = try ParsedMail(message(subject: "=?utf-8?B?SGk=?=").rfc5322())
    #expect(try decodeEncodedWords(mail.value("Subject")) == "=?utf-8?B?SGk=?=")
}

@Test func lineBreaksInAnyHeaderValueCannotInjectHeaders() throws {
    let bytes = message(
        subject: "Hi\r\nBcc: evil@example.net\nX-Evil: 1",
        from: MailAddress(
            name: "Login\r\nBcc: evil@example.net", address: "login@example.org\r\nBcc: evil@example.net"),
        to: MailAddress(name: "Ada\u{2028}\rCc: evil@example.net", address: "ada@example.org>, <evil@example.net"),
        id: "abc\r\nBcc: evil@example.net",
        extra: [("X-Tag\r\nBcc", "v\r\nBcc: evil@example.net"), ("Auto-Submitted", "auto-generated\n\nbody")]
    ).rfc5322()
    let mail = try ParsedMail(bytes)
    let names = mail.fields.map { $0.name.lowercased() }
    #expect(!names.contains("bcc"))
    #expect(!names.contains("cc"))
    #expect(!names.contains("x-evil"))
    #expect(
        names == [
            "date", "from", "to", "subject", "message-id", "mime-version", "x-tagbcc", "auto-submitted", "content-type",
        ])
    #expect(try mail.value("Subject") == "HiBcc: evil@example.netX-Evil: 1")
    #expect(try mail.value("To").hasSuffix("<ada@example.orgevil@example.net>"))
    #expect(try mail.value("Auto-Submitted") == "auto-generatedbody")
    #expect(try mail.value("Message-ID") == "<abcBcc:evil@example.net>".replacingOccurrences(of: ":", with: ""))
}

@Test func displayNameWithSpecialsIsQuotedAndEscaped() throws {
    let mail = try ParsedMail(
        message(to: MailAddress(name: #"Smith, "Jo" \ Ann"#, address: "jo@example.org")).rfc5322())
    #expect(try mail.value("To") == #""Smith, \"Jo\" \\ Ann" <jo@example.org>"#)
    let plain = try ParsedMail(message(to: MailAddress(name: "Ada Lovelace", address: "ada@example.org")).rfc5322())
    #expect(try plain.value("To") == "Ada Lovelace <ada@example.org>")
    let bare = try ParsedMail(message(to: MailAddress(name: " ", address: "ada@example.org")).rfc5322())
    #expect(try bare.value("To") == "ada@example.org")
}

@Test func nonASCIIDisplayNameIsEncodedAndDecodesBack() throws {
    let name = "Zoë Ærøskøbing-Ünterwald 山田太郎 " + String(repeating: "é", count: 40)
    let mail = try ParsedMail(message(to: MailAddress(name: name, address: "zoe@example.org")).rfc5322())
    let to = try mail.value("To")
    let encoded = try #require(to.components(separatedBy: " <").first)
    #expect(try decodeEncodedWords(encoded) == name)
    #expect(to.hasSuffix(" <zoe@example.org>"))
}

@Test func bothPartsDecodeBackToTheOriginalText() throws {
    let text =
        "Hello Zoë,\n.\n.leading dot\nFrom the team\ntrailing space \ntrailing tab\t\n= equals =3D\n"
        + String(repeating: "long line 😀 ", count: 30) + "\n\nend"
    let html = "<p>Grüße</p>\r\n<p style=\"x\">" + String(repeating: "ß", count: 100) + "</p> "
    let mail = try ParsedMail(message(text: text, html: html).rfc5322())
    let parts = try mail.parts()
    #expect(
        parts[0].headers == "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable")
    #expect(parts[1].headers == "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable")
    #expect(parts[0].text == text.replacingOccurrences(of: "\n", with: "\r\n"))
    #expect(parts[1].text == html)
    #expect(!mail.body.contains("\r\n.") && !mail.body.contains("\r\nFrom "), "risky line starts are encoded")
}

@Test func boundaryIsDerivedFromTheIdAndNeverOccursInTheParts() throws {
    let hostile = message(text: "--=_ =_ " + String(repeating: "-", count: 80), html: "=_=_", id: "one@example.org")
    let first = hostile.rfc5322()
    #expect(first == hostile.rfc5322(), "rendering is deterministic")
    let mail = try ParsedMail(first)
    let contentType = try mail.value("Content-Type")
    #expect(contentType.hasPrefix("multipart/alternative; boundary=\"=_"))
    #expect(try mail.parts().count == 2)
    let other = try ParsedMail(message(id: "two@example.org").rfc5322())
    #expect(try other.value("Content-Type") != contentType)
}

@Test func headersCarryMIMEVersionDateAndMessageID() throws {
    let mail = try ParsedMail(message().rfc5322())
    #expect(try mail.value("MIME-Version") == "1.0")
    #expect(try mail.value("Date") == "Fri, 15 Jan 2027 08:00:00 +0000")
    #expect(try mail.value("Message-ID") == "<abc123@example.org>")
    #expect(try mail.value("From") == "Login <login@example.org>")
}

@Test func dateIsRFC5322InEnglishAndUTCWhateverTheDate() throws {
    let cases: [(TimeInterval, String)] = [
        (0, "Thu, 01 Jan 1970 00:00:00 +0000"), (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
        (1_709_211_599, "Thu, 29 Feb 2024 12:59:59 +0000"), (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (253_402_300_799.9, "Fri, 31 Dec 9999 23:59:59 +0000"),
    ]
    for (seconds, expected) in cases {
        var mail = message()
        mail.date = Date(timeIntervalSince1970: seconds)
        #expect(try ParsedMail(mail.rfc5322()).value("Date") == expected)
    }
}

@Test func extraHeadersCannotReplaceTheOnesTheRendererWrites() throws {
    let mail = try ParsedMail(
        message(extra: [
            ("From", "evil@example.net"), ("content-type", "text/plain"), ("Auto-Submitted", "auto-generated"),
        ])
        .rfc5322())
    #expect(mail.values("From") == ["Login <login@example.org>"])
    #expect(mail.values("Content-Type").count == 1)
    #expect(try mail.value("Auto-Submitted") == "auto-generated")
}

@Test func messageWithoutHTMLIsASinglePlainTextPart() throws {
    let mail = try ParsedMail(message(text: "Only text é", html: "").rfc5322())
    #expect(try mail.value("Content-Type") == "text/plain; charset=utf-8")
    #expect(try mail.value("Content-Transfer-Encoding") == "quoted-printable")
    #expect(mail.body.hasSuffix("\r\n"))
    #expect(try decodeQuotedPrintable(String(mail.body.dropLast())) == "Only text é")
}

@Test func messageIDsAreRandomHexAtASanitisedDomain() throws {
    let random = SeededRandom(seed: 7)
    let first = MailMessage.makeMessageID(random: random, domain: "Login.Example.ORG")
    let second = MailMessage.makeMessageID(random: random, domain: "login.example.org")
    #expect(first != second)
    let parts = first.split(separator: "@")
    #expect(parts.count == 2 && parts[0].count == 32 && parts[0].allSatisfy(\.isHexDigit))
    #expect(parts[1] == "login.example.org")
    #expect(MailMessage.makeMessageID(random: random, domain: "ex>ample\r\n.org").hasSuffix("@example.org"))
    #expect(MailMessage.makeMessageID(random: random, domain: "<>").hasSuffix("@localhost"))
}
