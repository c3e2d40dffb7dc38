import Foundation
import Identity
import Testing

/// A local HTTP gateway (Python's http.server): records each request as JSON and answers the status its path names.
private final class GatewaySink {
    static let script = """
        import http.server, json, os, sys, threading
        folder = sys.argv[1]
        # Ends with the test's end of stdin: a SIGTERM may be ignored in the test process, and so in this one.
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                record = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                with open(os.path.join(folder, "%d.json" % len(os.listdir(folder))), "w") as out:
                    json.dump(record, out)
                status = int(self.path.split("/status/")[1].split("?")[0]) if "/status/" in self.path else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            do_GET = do_POST = do_PUT = answer
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    let directory: URL
    let port: Int
    private let process = Process()
    private let stdin = Pipe()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sms-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, directory.path]
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

    func request(_ number: Int) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(number).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

private let message = OutgoingSMS(
    id: "sms-1", to: "+32470123456", text: "Org: code to add this phone to your account: ACEF-HJKM. Valid 10 minutes.",
    createdAt: Date(timeIntervalSince1970: 1_800_000_000))

private func gateway(_ url: String, configure: (inout Settings.SMS) -> Void = { _ in }) throws -> HTTPSMSTransport {
    var settings = Settings.SMS()
    settings.transport = url
    configure(&settings)
    return try #require(try SMSTransports.make(settings) as? HTTPSMSTransport)
}

@Suite struct SMSGatewayTests {
    @Test func aGatewayGetsTheFormEncodedMessageWithTheAuthorisationHeader() throws {
        let sink = try GatewaySink()
        let transport = try gateway("http://127.0.0.1:\(sink.port)/send") { $0.authHeader = "Authorization: Bearer s3cret" }
        #expect(transport.send(message) == .delivered)
        let request = try sink.request(0)
        let headers = request["headers"] as? [String: String]
        #expect(request["method"] as? String == "POST" && request["path"] as? String == "/send")
        #expect(headers?["Authorization"] == "Bearer s3cret")
        #expect(headers?["Content-Type"] == "application/x-www-form-urlencoded")
        let form = try #require(URLComponents(string: "?" + (request["body"] as? String ?? "").replacingOccurrences(of: "+", with: "%20")))
        #expect(form.queryItems?.first { $0.name == "to" }?.value == "+32470123456")
        #expect(form.queryItems?.first { $0.name == "text" }?.value == message.text)
    }

    @Test func aJSONGatewayCanBeCalledWithPut() throws {
        let sink = try GatewaySink()
        let transport = try gateway("http://127.0.0.1:\(sink.port)/messages") {
            $0.method = "PUT"
            $0.contentType = "application/json"
        }
        #expect(transport.send(message) == .delivered)
        let request = try sink.request(0)
        #expect(request["method"] as? String == "PUT")
        let body = try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: String]
        #expect(body == ["to": "+32470123456", "text": message.text])
    }

    @Test func throttlingServerErrorsAndNetworkTroubleAreRetriedOtherRefusalsAreFinal() throws {
        let sink = try GatewaySink()
        for (status, expected) in [
            (429, MailDeliveryResult.temporaryFailure("http 429")), (503, .temporaryFailure("http 503")),
            (400, .permanentFailure("http 400")), (401, .permanentFailure("http 401")),
        ] {
            #expect(try gateway("http://127.0.0.1:\(sink.port)/status/\(status)").send(message) == expected)
        }
        guard case .temporaryFailure = try gateway("http://127.0.0.1:\(sink.port)/status/302").send(message) else {
            Issue.record("a redirect is not followed and not final")
            return
        }
        let closed = try gateway("http://127.0.0.1:1/send").send(message)
        guard case .temporaryFailure = closed else {
            Issue.record("no gateway listening should be retried, got \(closed)")
            return
        }
    }
}
