// The benchmark's reference: the same FastCGI server answering a constant page, so that
// `make bench` can state every figure as a share of what the transport alone allows.
import FastCGI
import Foundation
import Logging

struct ConstantResponder: Responder {
    let body = Array("<!DOCTYPE html><title>ceiling</title><p>ok</p>\n".utf8)

    func respond(to request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: body)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: fcgi-ceiling SOCKET [WORKERS]\n".utf8))
    exit(2)
}
let workers = arguments.count > 2 ? Int(arguments[2]) ?? 4 : 2 * ProcessInfo.processInfo.activeProcessorCount
var logger = Logger(label: "ceiling")
logger.logLevel = .warning
let server = FastCGIServer(
    options: .init(socketPath: arguments[1], socketMode: 0o666, workers: workers), responder: ConstantResponder(), logger: logger)
try server.run()
