import Foundation
import Identity
import Logging
import Storage
import TestSupport
import Testing

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sms-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private let sample = OutgoingSMS(
    id: "sms-abc", to: "+32470123456", text: "Org: code ACEF-HJKM. \"$(touch pwned)\" & more",
    createdAt: Date(timeIntervalSince1970: 1_800_000_000))

/// A transport that answers from a script.
private final class ScriptedSMSTransport: SMSTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [MailDeliveryResult]
    private(set) var sent: [OutgoingSMS] = []

    init(_ answers: [MailDeliveryResult]) { self.answers = answers }

    func send(_ message: OutgoingSMS) -> MailDeliveryResult {
        lock.withLock {
            let answer = answers.isEmpty ? .delivered : answers.removeFirst()
            if answer == .delivered { sent.append(message) }
            return answer
        }
    }
}

@Suite struct SMSTransportTests {
    @Test func theFileTransportWritesOneJSONFilePerMessageAndIsIdempotent() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = try #require(try SMSTransports.make(settings("file://" + directory.path)) as? FileSMSTransport)
        #expect(transport.send(sample) == .delivered)
        #expect(transport.send(sample) == .delivered)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["sms-abc.json"])
        let data = try Data(contentsOf: directory.appendingPathComponent("sms-abc.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object == ["id": "sms-abc", "to": "+32470123456", "text": sample.text, "created_at": "2027-01-15T08:00:00Z"])
    }

    @Test func theCommandTransportPassesNumberAndTextAsTwoArgumentsWithoutAShell() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = directory.appendingPathComponent("send-sms").path
        let script = "#!/bin/sh\nprintf '%s\\n' \"$#\" \"$1\" \"$2\" > '\(directory.path)/args'\nexit ${SMS_EXIT:-0}\n"
        try Data(script.utf8).write(to: URL(fileURLWithPath: program))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
        let transport = try SMSTransports.make(settings("command:" + program))
        #expect(transport.send(sample) == .delivered)
        let args = try String(contentsOfFile: directory.path + "/args", encoding: .utf8)
        #expect(args == "2\n+32470123456\n\(sample.text)\n")
        #expect(!FileManager.default.fileExists(atPath: "pwned"))

        let failing = directory.appendingPathComponent("fail").path
        try Data("#!/bin/sh\nexit 3\n".utf8).write(to: URL(fileURLWithPath: failing))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing)
        #expect(CommandSMSTransport(program: failing).send(sample) == .temporaryFailure("SMS program exit 3"))
        let slow = directory.appendingPathComponent("slow").path
        try Data("#!/bin/sh\nsleep 5\n".utf8).write(to: URL(fileURLWithPath: slow))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: slow)
        #expect(CommandSMSTransport(program: slow, timeout: 0.2).send(sample) == .temporaryFailure("SMS program timed out after 0 s"))
    }

    @Test func badTransportSettingsNameTheirKey() throws {
        #expect(throws: SMSConfigurationError.self) { try SMSTransports.make(settings("smtp://x")) }
        #expect(throws: SMSConfigurationError.self) { try SMSTransports.make(settings("command:/nonexistent/program")) }
        #expect(throws: SMSConfigurationError.self) { try SMSTransports.make(settings("file://relative")) }
        func key(_ configure: (inout Settings.SMS) -> Void) -> String? {
            var sms = settings("https://sms.example.org/send")
            configure(&sms)
            do {
                _ = try SMSGateway(sms)
                return nil
            } catch let error as SMSConfigurationError {
                return error.key
            } catch {
                return "\(error)"
            }
        }
        #expect(key { _ in } == nil)
        #expect(key { $0.transport = "http://sms.example.org/send" } == "sms.transport")
        #expect(key { $0.transport = "http://127.0.0.1:9000/send" } == nil)
        #expect(key { $0.method = "DELETE" } == "sms.method")
        #expect(key { $0.contentType = "multipart/form-data" } == "sms.content_type")
        #expect(key { $0.authHeader = "Bearer abc" } == "sms.auth_header")
        #expect(key { $0.authHeader = "Authorization: Bearer abc\r\nX-Evil: 1" } == "sms.auth_header")
    }

    @Test func theGatewayRequestEscapesNumberAndTextForTheContentType() throws {
        var sms = settings("https://sms.example.org/send?from=Org")
        sms.authHeader = "Authorization: Bearer s3cret"
        let form = try SMSGateway(sms).request(to: "+32470123456", text: "A&b=c é {to}")
        #expect(form.url == "https://sms.example.org/send?from=Org")
        #expect(form.headers == ["Authorization: Bearer s3cret", "Content-Type: application/x-www-form-urlencoded"])
        #expect(String(decoding: form.body, as: UTF8.self) == "to=%2B32470123456&text=A%26b%3Dc%20%C3%A9%20%7Bto%7D")

        sms.contentType = "application/json"
        sms.body = #"{"messages":[{"destination":"{to}","content":"{text}"}]}"#
        let json = try SMSGateway(sms).request(to: "+32470123456", text: "say \"hi\"\n\\ {text}")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: [[String: String]]]
        #expect(decoded?["messages"]?.first == ["destination": "+32470123456", "content": "say \"hi\"\n\\ {text}"])

        sms.contentType = "application/json"
        sms.body = nil
        let plain = try SMSGateway(sms).request(to: "+1", text: "x")
        #expect(String(decoding: plain.body, as: UTF8.self) == #"{"to":"+1","text":"x"}"#)

        sms.transport = "https://sms.example.org/send?to={to}&msg={text}"
        sms.method = "get"
        let get = try SMSGateway(sms).request(to: "+32470123456", text: "a b")
        #expect(get.url == "https://sms.example.org/send?to=%2B32470123456&msg=a%20b")
        #expect(get.body.isEmpty && get.headers == ["Authorization: Bearer s3cret"])
    }

    @Test func queuedTextsAreDeliveredRetriedAndGivenUpOn() async throws {
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        _ = try PhoneNumbers(h.dependencies).startAdding(account: account, phone: "+32470123456", client: h.client)
        let transport = ScriptedSMSTransport([.temporaryFailure("gateway busy")])
        let delivery = SMSDelivery(h.dependencies, transport: transport, logger: Logger(label: "t"))
        #expect(try delivery.nextDue() != nil)
        #expect(try delivery.deliverDue() == (0, 1))
        #expect(try delivery.deliverDue() == (0, 0), "not due before the back-off")
        h.clock.advance(by: MailDelivery.backoff(afterAttempt: 1))
        #expect(try delivery.deliverDue() == (1, 0))
        #expect(transport.sent.map(\.to) == ["+32470123456"])
        #expect(transport.sent.first?.text.contains("code to add this phone") == true)
        #expect(try h.database.read { try $0.outboxCounts(.sms) }.sent == 1)

        _ = try PhoneNumbers(h.dependencies).startAdding(account: account, phone: "+32470999999", client: h.client)
        try SMSDelivery(h.dependencies, transport: ScriptedSMSTransport([.permanentFailure("http 400")]), logger: Logger(label: "t"))
            .deliverDue()
        #expect(try h.database.read { try $0.failedSMS() }.map(\.lastError) == ["http 400"], "a refusal is final at once")
    }

    @Test func theFileTransportDeliversThroughTheOutbox() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let h = try await TestHarness.make()
        let account = try h.makeAccount(email: "ada@example.org", password: "Correct-Horse-42-battery")
        _ = try PhoneNumbers(h.dependencies).startAdding(account: account, phone: "+44 7911 123456", client: h.client)
        let delivery = SMSDelivery(h.dependencies, transport: FileSMSTransport(directory: directory.path), logger: Logger(label: "t"))
        #expect(try delivery.deliverDue() == (1, 0))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1 && files[0].hasPrefix("sms-") && files[0].hasSuffix(".json"))
        let object =
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(files[0]))) as? [String: String]
        #expect(object?["to"] == "+447911123456")
        #expect(object?["id"].map { files[0] == $0 + ".json" } == true)
    }

    func settings(_ transport: String) -> Settings.SMS {
        var sms = Settings.SMS()
        sms.transport = transport
        return sms
    }
}
