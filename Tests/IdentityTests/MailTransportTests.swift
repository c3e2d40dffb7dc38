import Foundation
import Identity
import Testing

/// A fresh empty directory under the system temporary directory.
private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mail-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func sampleMessage(_ id: String = "4f2a@example.org", text: String = "Hello\nCode: 123456\n") -> [UInt8] {
    MailMessage(
        from: MailAddress(name: "Login", address: "login@example.org"),
        to: MailAddress(name: "Zoë", address: "zoe@example.org"),
        subject: "Grüße", text: text, html: "<p>Hello</p>", date: Date(timeIntervalSince1970: 1_800_000_000),
        messageID: id
    ).rfc5322()
}

private func configurationError(_ url: String) -> MailTransportConfigurationError? {
    do {
        _ = try MailTransports.make(url: url, caFile: nil)
        return nil
    } catch {
        return error as? MailTransportConfigurationError
    }
}

// MARK: - Configuration

@Test func unsupportedOrMalformedTransportURLsAreRejectedWithTheReason() {
    #expect(configurationError("ftp://mail.example.org") == .unsupportedScheme("ftp"))
    #expect(configurationError("HTTP://mail.example.org") == .unsupportedScheme("http"))
    #expect(configurationError("/var/mail") == .invalidURL("no scheme"))
    if case .invalidURL = configurationError("file:relative/dir") {
    } else {
        Issue.record("relative file path accepted")
    }
    if case .invalidURL = configurationError("sendmail:sendmail") {} else { Issue.record("relative program accepted") }
    #expect(configurationError("sendmail:/nonexistent/sendmail") == .programNotExecutable("/nonexistent/sendmail"))
    if case .invalidURL = configurationError("smtp://") {} else { Issue.record("smtp without host accepted") }
    if case .invalidURL = configurationError("smtp://:secret@mail.example.org") {
    } else {
        Issue.record("password without user")
    }
    if case .invalidOption = configurationError("smtp://mail.example.org?tls=maybe") {
    } else {
        Issue.record("tls=maybe")
    }
    if case .invalidOption = configurationError("smtp://mail.example.org?verify=no") {
    } else {
        Issue.record("unknown option")
    }
    if case .invalidOption = configurationError("smtps://mail.example.org?tls=none") {
    } else {
        Issue.record("smtps plain")
    }
    #expect(String(describing: MailTransportConfigurationError.unsupportedScheme("ftp")).contains("'ftp'"))
}

@Test func supportedTransportURLsMakeTheirTransports() throws {
    #expect(try MailTransports.make(url: "file:///tmp/mail-out", caFile: nil) is FileMailTransport)
    #expect(try MailTransports.make(url: "sendmail:/bin/true", caFile: nil) is SendmailTransport)
    let smtp = try #require(
        try MailTransports.make(url: "smtps://mail.example.org", caFile: "/etc/ca.pem") as? SMTPTransport)
    #expect(smtp.configuration.security == .implicit)
    #expect(smtp.configuration.caFile == "/etc/ca.pem")
}

@Test func smtpURLCredentialsArePercentDecodedAndKeptOutOfTheServerURL() throws {
    let config = try SMTPConfiguration(
        url: "smtp://bob%40corp:p%40ss%3Aw%2Fd@mail.example.org:587/client.example.org", caFile: nil)
    #expect(config.username == "bob@corp")
    #expect(config.password == "p@ss:w/d")
    #expect(config.serverURL == "smtp://mail.example.org:587/client.example.org")
    #expect(config.security == .required, "credentials make STARTTLS required unless tls= says otherwise")
}

@Test func smtpTLSModeFollowsTheURL() throws {
    #expect(try SMTPConfiguration(url: "smtp://mail.example.org", caFile: nil).security == .opportunistic)
    #expect(try SMTPConfiguration(url: "smtp://mail.example.org?tls=required", caFile: nil).security == .required)
    #expect(try SMTPConfiguration(url: "smtp://mail.example.org?tls=none", caFile: nil).security == .none)
    #expect(
        try SMTPConfiguration(url: "smtp://u:p@mail.example.org?tls=opportunistic", caFile: nil).security
            == .opportunistic)
    #expect(try SMTPConfiguration(url: "smtps://[::1]:465", caFile: nil).serverURL == "smtps://[::1]:465")
}

// MARK: - File transport

@Test func fileTransportCreatesTheDirectoryAndWritesOneEmlPerMessage() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let directory = root.appendingPathComponent("a/b/outbox").path
    let transport = try MailTransports.make(url: "file://" + directory, caFile: nil)
    let message = sampleMessage()
    #expect(
        transport.deliver(message, messageID: "4f2a@example.org", from: "login@example.org", to: "zoe@example.org")
            == .delivered)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["4f2a@example.org.eml"])
    let stored = try Data(contentsOf: URL(fileURLWithPath: directory + "/4f2a@example.org.eml"))
    #expect([UInt8](stored) == message)
    let mode =
        try FileManager.default.attributesOfItem(atPath: directory + "/4f2a@example.org.eml")[.posixPermissions] as? Int
    #expect(mode == 0o600, "messages hold sign-in links and codes")
}

@Test func fileTransportRedeliveryOfTheSameIdReplacesTheFile() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let transport = FileMailTransport(directory: directory.path)
    let first = sampleMessage(text: "first")
    let second = sampleMessage(text: "second")
    #expect(
        transport.deliver(first, messageID: "same@example.org", from: "a@example.org", to: "b@example.org")
            == .delivered)
    #expect(
        transport.deliver(second, messageID: "same@example.org", from: "a@example.org", to: "b@example.org")
            == .delivered)
    #expect(
        transport.deliver(first, messageID: "other@example.org", from: "a@example.org", to: "b@example.org")
            == .delivered)
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(names == ["other@example.org.eml", "same@example.org.eml"], "no duplicates and no temporary files left")
    #expect([UInt8](try Data(contentsOf: directory.appendingPathComponent("same@example.org.eml"))) == second)
}

@Test func fileTransportKeepsHostileIdsInsideTheDirectoryAndDistinct() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let directory = root.appendingPathComponent("out")
    let transport = FileMailTransport(directory: directory.path)
    for id in ["../../escape", "a/b", "a_b", ".hidden", "", "<x@y>"] {
        #expect(
            transport.deliver(sampleMessage(), messageID: id, from: "a@example.org", to: "b@example.org") == .delivered)
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(names.count == 6, "different ids never share a file")
    #expect(names.allSatisfy { $0.hasSuffix(".eml") && !$0.hasPrefix(".") && !$0.contains("/") })
    #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out"])
}

@Test func fileTransportFailureIsTemporary() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let blocker = root.appendingPathComponent("not-a-directory")
    try Data("x".utf8).write(to: blocker)
    let result = FileMailTransport(directory: blocker.path).deliver(
        sampleMessage(), messageID: "m@x", from: "a@x.org", to: "b@x.org")
    guard case .temporaryFailure = result else {
        Issue.record("expected a temporary failure, got \(result)")
        return
    }
}

// MARK: - Sendmail transport

/// A fake sendmail that records its arguments and input, then behaves as `body` says.
private func fakeSendmail(in directory: URL, body: String) throws -> String {
    let path = directory.appendingPathComponent("sendmail").path
    let script = "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(directory.path)/args'\n\(body)\n"
    try Data(script.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
}

@Test func sendmailExitZeroIsDeliveredWithEnvelopeArgumentsAndLocalLineEndings() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = try fakeSendmail(in: directory, body: "cat > '\(directory.path)/stdin'\nexit 0")
    let transport = try MailTransports.make(url: "sendmail:" + program, caFile: nil)
    let message = sampleMessage()
    #expect(
        transport.deliver(message, messageID: "m@x", from: "login@example.org", to: "zoe@example.org") == .delivered)
    let args = try String(contentsOf: directory.appendingPathComponent("args"), encoding: .utf8)
    #expect(args == "-i\n-f\nlogin@example.org\n--\nzoe@example.org\n")
    let stdin = try Data(contentsOf: directory.appendingPathComponent("stdin"))
    let expected = String(decoding: message, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    #expect(String(decoding: stdin, as: UTF8.self) == expected)
    #expect(!stdin.contains(0x0D))
}

@Test func sendmailExit75IsTemporaryAndOtherExitsArePermanent() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for (status, temporary) in [(75, true), (1, false), (67, false)] {
        let program = try fakeSendmail(in: directory, body: "cat > /dev/null\nexit \(status)")
        let result = SendmailTransport(program: program).deliver(
            sampleMessage(), messageID: "m@x", from: "a@x.org", to: "b@x.org")
        switch result {
        case .temporaryFailure(let reason): #expect(temporary && reason.contains("\(status)"))
        case .permanentFailure(let reason): #expect(!temporary && reason.contains("\(status)"))
        case .delivered: Issue.record("exit \(status) counted as delivered")
        }
    }
}

@Test func sendmailThatHangsIsKilledAfterTheTimeoutAsTemporary() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = try fakeSendmail(in: directory, body: "sleep 20")
    let started = Date()
    let result = SendmailTransport(program: program, timeout: 1).deliver(
        sampleMessage(), messageID: "m@x", from: "a@x.org", to: "b@x.org")
    #expect(result == .temporaryFailure("sendmail timed out after 1 s"))
    #expect(Date().timeIntervalSince(started) < 10)
}

@Test func sendmailThatIgnoresItsInputDoesNotKillTheCaller() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = try fakeSendmail(in: directory, body: "exit 0")
    let big = sampleMessage(text: String(repeating: "0123456789abcdef\n", count: 200_000))
    #expect(
        SendmailTransport(program: program).deliver(big, messageID: "m@x", from: "a@x.org", to: "b@x.org") == .delivered
    )
}

@Test func sendmailRefusesOptionLikeOrMultilineAddressesWithoutRunning() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = try fakeSendmail(in: directory, body: "exit 0")
    let transport = SendmailTransport(program: program)
    for (from, to) in [
        ("-oQ/tmp@x", "b@x.org"), ("a@x.org", "-t@x"), ("a@x.org\nRCPT", "b@x.org"), ("a@x.org", "b@x.org c@y.org"),
        ("", "b@x.org"),
    ] {
        #expect(
            transport.deliver(sampleMessage(), messageID: "m@x", from: from, to: to)
                == .permanentFailure("invalid envelope address"))
    }
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("args").path))
}
