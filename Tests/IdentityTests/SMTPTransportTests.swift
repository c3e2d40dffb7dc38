import Foundation
import Identity
import Testing

/// Tests/e2e/support/smtp_sink.py run as a subprocess on a free loopback port.
private final class SMTPSink {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("e2e/support/smtp_sink.py").path

    /// python3 with aiosmtpd is a test-only tool; without it these tests are skipped.
    static let isAvailable: Bool = {
        guard FileManager.default.fileExists(atPath: script) else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import aiosmtpd"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        } catch {
            return false
        }
    }()

    let directory: URL
    let port: Int
    private let process = Process()
    private let stdin = Pipe()

    init(_ options: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "0", directory.path, "--exit-on-stdin-eof"] + options
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    deinit {
        process.terminate()
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    func stored(_ number: Int) throws -> (message: Data, envelope: [String: Any]) {
        let message = try Data(contentsOf: directory.appendingPathComponent("\(number).eml"))
        let json = try Data(contentsOf: directory.appendingPathComponent("\(number).json"))
        return (message, try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any]))
    }

    func storedCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") }
            .count
    }
}

private let message = MailMessage(
    from: MailAddress(name: "Login", address: "login@example.org"),
    to: MailAddress(name: "Zoë", address: "zoe@example.org"),
    subject: "Grüße", text: "Hello\n.\nCode: 123456\n", html: "<p>Hello</p>",
    date: Date(timeIntervalSince1970: 1_800_000_000),
    messageID: "m1@example.org")

private func isTemporary(_ result: MailDeliveryResult) -> Bool {
    if case .temporaryFailure = result { return true }
    return false
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtpDeliversTheExactBytesWithTheEnvelope() throws {
    let sink = try SMTPSink()
    let transport = try MailTransports.make(url: "smtp://127.0.0.1:\(sink.port)", caFile: nil)
    let bytes = message.rfc5322()
    #expect(
        transport.deliver(bytes, messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")
            == .delivered)
    let stored = try sink.stored(1)
    #expect([UInt8](stored.message) == bytes, "dot-stuffing undone, CRLF kept, nothing added")
    #expect(stored.envelope["mail_from"] as? String == "login@example.org")
    #expect(stored.envelope["rcpt_tos"] as? [String] == ["zoe@example.org"])
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtp4xxIsTemporaryAndTheRetrySucceeds() throws {
    let sink = try SMTPSink(["--fail-first", "1"])
    let transport = try MailTransports.make(url: "smtp://127.0.0.1:\(sink.port)", caFile: nil)
    let first = transport.deliver(
        message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")
    #expect(isTemporary(first))
    if case .temporaryFailure(let reason) = first { #expect(reason.contains("451")) }
    #expect(sink.storedCount() == 0)
    #expect(
        transport.deliver(
            message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")
            == .delivered)
    #expect(sink.storedCount() == 1)
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtp5xxForTheRecipientIsPermanent() throws {
    let sink = try SMTPSink(["--reject-rcpt", "nobody@example.org"])
    let transport = try MailTransports.make(url: "smtp://127.0.0.1:\(sink.port)", caFile: nil)
    let result = transport.deliver(
        message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "nobody@example.org")
    guard case .permanentFailure(let reason) = result else {
        Issue.record("expected a permanent failure, got \(result)")
        return
    }
    #expect(reason.contains("550"))
    #expect(sink.storedCount() == 0)
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtpAuthenticatesWithPercentDecodedCredentials() throws {
    let sink = try SMTPSink(["--auth", "bob@corp:p@ss:w/d"])
    let good = try MailTransports.make(
        url: "smtp://bob%40corp:p%40ss%3Aw%2Fd@127.0.0.1:\(sink.port)?tls=none", caFile: nil)
    #expect(
        good.deliver(message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")
            == .delivered)
    #expect(try sink.stored(1).envelope["login"] as? String == "bob@corp")
    let bad = try MailTransports.make(url: "smtp://bob%40corp:wrong@127.0.0.1:\(sink.port)?tls=none", caFile: nil)
    #expect(
        isTemporary(
            bad.deliver(
                message.rfc5322(), messageID: "m2@example.org", from: "login@example.org", to: "zoe@example.org")),
        "a rejected login is the operator's to fix, so the message waits")
    #expect(sink.storedCount() == 1)
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtpRequiredTLSFailsTemporarilyWhenTheServerOffersNoSTARTTLS() throws {
    let sink = try SMTPSink()
    for url in ["smtp://127.0.0.1:\(sink.port)?tls=required", "smtp://user:secret@127.0.0.1:\(sink.port)"] {
        let transport = try MailTransports.make(url: url, caFile: nil)
        #expect(
            isTemporary(
                transport.deliver(
                    message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")))
    }
    #expect(sink.storedCount() == 0, "nothing, least of all a password, went out in clear")
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtpRefusesEnvelopeAddressesThatCouldInjectCommands() throws {
    let sink = try SMTPSink()
    let transport = try MailTransports.make(url: "smtp://127.0.0.1:\(sink.port)", caFile: nil)
    for (from, to) in [
        ("login@example.org>\r\nRCPT TO:<evil@example.net", "zoe@example.org"),
        ("login@example.org", "zoe@example.org>\r\nDATA"),
    ] {
        #expect(
            transport.deliver(message.rfc5322(), messageID: "m1@example.org", from: from, to: to)
                == .permanentFailure("invalid envelope address"))
    }
    #expect(sink.storedCount() == 0)
}

/// A throw-away self-signed certificate for 127.0.0.1, made with the openssl command.
private func makeCertificate(in directory: URL) -> (cert: String, key: String)? {
    let cert = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    openssl.arguments = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
    ]
    openssl.standardOutput = FileHandle.nullDevice
    openssl.standardError = FileHandle.nullDevice
    guard (try? openssl.run()) != nil else { return nil }
    openssl.waitUntilExit()
    return openssl.terminationStatus == 0 ? (cert, key) : nil
}

@Test(.enabled(if: SMTPSink.isAvailable)) func smtpUsesSTARTTLSAndVerifiesTheServerAgainstTheCAFile() throws {
    let certificates = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: certificates, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: certificates) }
    guard let (cert, key) = makeCertificate(in: certificates) else {
        Issue.record("openssl could not make a test certificate")
        return
    }
    let sink = try SMTPSink(["--tls-cert", cert, "--tls-key", key, "--auth", "bob:secret"])
    let url = "smtp://bob:secret@127.0.0.1:\(sink.port)"
    let untrusted = try MailTransports.make(url: url, caFile: nil)
    #expect(
        isTemporary(
            untrusted.deliver(
                message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")),
        "an unknown certificate is refused, not skipped")
    #expect(sink.storedCount() == 0)
    let trusted = try MailTransports.make(url: url, caFile: cert)
    #expect(
        trusted.deliver(
            message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")
            == .delivered)
    #expect(try sink.stored(1).envelope["login"] as? String == "bob")
}

@Test func smtpUnreachableServerIsTemporary() throws {
    let transport = try MailTransports.make(url: "smtp://127.0.0.1:1", caFile: nil)
    let result = transport.deliver(
        message.rfc5322(), messageID: "m1@example.org", from: "login@example.org", to: "zoe@example.org")
    #expect(isTemporary(result))
}
