import Basics
import Cryptography
import Foundation

/// A mailbox: an optional display name and an addr-spec.
public struct MailAddress: Sendable, Equatable {
    public var name: String
    public var address: String

    public init(name: String = "", address: String) {
        self.name = name
        self.address = address
    }
}

/// One outgoing e-mail with a plain-text and an HTML alternative, rendered by `rfc5322()`.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var text: String
    /// When empty, the message is a single `text/plain` part.
    public var html: String
    public var date: Date
    /// The id without angle brackets, e.g. from `makeMessageID(random:domain:)`.
    public var messageID: String
    /// Further headers such as `Auto-Submitted`; names that the renderer writes itself are ignored.
    public var extraHeaders: [(String, String)]

    public init(
        from: MailAddress, to: MailAddress, subject: String, text: String, html: String, date: Date,
        messageID: String, extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
        self.extraHeaders = extraHeaders
    }

    /// A fresh globally unique id (`<128 random bits in hex>@<domain>`), without angle brackets.
    public static func makeMessageID(random: some RandomSource, domain: String) -> String {
        let host = MailHeader.sanitisedDomain(domain)
        return Hex.encode(random.bytes(16)) + "@" + (host.isEmpty ? "localhost" : host)
    }

    /// The message as it goes on the wire: CRLF line endings, MIME, every header line folded.
    public func rfc5322() -> [UInt8] {
        var out: [String] = []
        out.append(MailHeader.line(name: "Date", value: RFC5322Date.format(date)))
        out.append(MailHeader.mailbox(name: "From", from))
        out.append(MailHeader.mailbox(name: "To", to))
        out.append(MailHeader.unstructured(name: "Subject", value: subject))
        out.append(MailHeader.line(name: "Message-ID", value: "<" + MailHeader.sanitisedMessageID(messageID) + ">"))
        out.append("MIME-Version: 1.0")
        for (name, value) in extraHeaders {
            let cleanName = MailHeader.sanitisedFieldName(name)
            guard !cleanName.isEmpty, !MailHeader.reservedNames.contains(cleanName.lowercased()) else { continue }
            out.append(MailHeader.unstructured(name: cleanName, value: value, encodeLongWords: false))
        }
        if html.isEmpty {
            out.append(contentsOf: Self.partHeaders(subtype: "plain"))
            out.append("")
            out.append(QuotedPrintable.encode(text))
        } else {
            let boundary = Self.boundary(for: messageID)
            out.append("Content-Type: multipart/alternative;")
            out.append(" boundary=\"\(boundary)\"")
            out.append("")
            for (subtype, body) in [("plain", text), ("html", html)] {
                out.append("--" + boundary)
                out.append(contentsOf: Self.partHeaders(subtype: subtype))
                out.append("")
                out.append(QuotedPrintable.encode(body))
            }
            out.append("--" + boundary + "--")
        }
        return Array((out.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func partHeaders(subtype: String) -> [String] {
        ["Content-Type: text/\(subtype); charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
    }

    /// "=_" can never occur in quoted-printable output (a literal "=" is always "=XX" or a soft
    /// break), so this boundary cannot collide with any body; deriving it from the id keeps the
    /// rendering deterministic, which makes re-rendering and idempotent delivery byte-identical.
    static func boundary(for messageID: String) -> String {
        "=_" + Hex.encode(Digest.sha256(messageID).prefix(16))
    }
}
