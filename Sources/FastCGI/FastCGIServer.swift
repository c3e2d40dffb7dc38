internal import CFastCGI
import Foundation
import Logging

/// A pool of worker threads answering FastCGI requests on a unix socket through libfcgi.
///
/// libfcgi blocks in `accept()` and ignores SIGTERM, so signals are taken by a dedicated
/// thread (they are blocked everywhere else): it marks the server as stopping, shuts the
/// listening socket down so that blocked accepts return, waits for requests in flight
/// and returns from `run()`.
public final class FastCGIServer: @unchecked Sendable {
    public struct Options: Sendable {
        public var socketPath: String
        public var socketMode: UInt32
        public var workers: Int
        public var maxBodyBytes: Int
        public var drainSeconds: Double
        public init(socketPath: String, socketMode: UInt32 = 0o660, workers: Int, maxBodyBytes: Int = 1 << 20, drainSeconds: Double = 4.5) {
            self.socketPath = socketPath
            self.socketMode = socketMode
            self.workers = workers
            self.maxBodyBytes = maxBodyBytes
            self.drainSeconds = drainSeconds
        }
    }

    private let options: Options
    private let responder: any Responder
    private let logger: Logger
    private let onReload: @Sendable () -> Void
    private let stateLock = NSLock()
    private var stopping = false
    private var inFlight = 0
    private var listenSocket: Int32 = -1

    public init(options: Options, responder: any Responder, logger: Logger, onReload: @escaping @Sendable () -> Void = {}) {
        self.options = options
        self.responder = responder
        self.logger = logger
        self.onReload = onReload
    }

    /// Serves until SIGTERM or SIGINT, then drains and returns.
    public func run(onReady: () -> Void = {}) throws {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        guard FCGX_Init() == 0 else { throw FastCGIError.initFailed }
        unlink(options.socketPath)
        let socket = FCGX_OpenSocket(options.socketPath, 1024)
        guard socket >= 0 else { throw FastCGIError.cannotListen(options.socketPath) }
        chmod(options.socketPath, mode_t(options.socketMode))
        listenSocket = socket

        let finished = DispatchGroup()
        for index in 0..<max(1, options.workers) {
            finished.enter()
            let thread = Thread { [self] in
                workerLoop()
                finished.leave()
            }
            thread.name = "fcgi-\(index)"
            thread.start()
        }
        logger.info("listening", metadata: ["socket": "\(options.socketPath)", "workers": "\(options.workers)"])
        onReady()

        while true {
            var received: Int32 = 0
            sigwait(&signals, &received)
            if received == SIGHUP {
                logger.info("reload requested")
                onReload()
                continue
            }
            break
        }
        logger.info("stopping", metadata: ["in_flight": "\(currentInFlight)"])
        stateLock.withLock { stopping = true }
        FCGX_ShutdownPending()
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
        unlink(options.socketPath)
        // Workers idle on a kept-alive nginx connection may block in read() forever; they hold
        // no request, so only requests in flight are waited for.
        // A monotonic clock: a wall-clock step during shutdown must not cut the drain short or stretch it.
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(options.drainSeconds * 1000)))
        while currentInFlight > 0 && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        _ = finished.wait(timeout: .now() + 0.05)
        logger.info("stopped")
    }

    private var currentInFlight: Int { stateLock.withLock { inFlight } }

    private func workerLoop() {
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, listenSocket, 0) == 0 else { return }
        while true {
            if stateLock.withLock({ stopping }) { break }
            // No lock around accept, unlike libfcgi's threaded example: with nginx's kept-alive
            // connections a worker waits inside FCGX_Accept_r for the next request on *its*
            // connection, and holding a shared lock there starves every other connection.
            // accept() on one listening socket from many threads is safe on Linux.
            let accepted = FCGX_Accept_r(&request)
            guard accepted >= 0 else { break }
            let proceed = stateLock.withLock { () -> Bool in
                if stopping { return false }
                inFlight += 1
                return true
            }
            if proceed {
                handle(&request)
            }
            let stopNow = stateLock.withLock { () -> Bool in
                if proceed { inFlight -= 1 }
                return stopping
            }
            if stopNow { request.keepConnection = 0 }
            FCGX_Finish_r(&request)
            if stopNow { break }
        }
    }

    private func handle(_ request: inout FCGX_Request) {
        let parameters = Self.parameters(request.envp)
        let length = Int(parameters["CONTENT_LENGTH"] ?? "") ?? 0
        let response: HTTPResponse
        if length > options.maxBodyBytes {
            discardInput(request.in, length: length)
            response = HTTPResponse(status: 413, contentType: "text/plain; charset=utf-8", body: "Request body too large\n")
        } else {
            let body = readInput(request.in, length: length)
            response = responder.respond(to: HTTPRequest(parameters: parameters, body: body))
        }
        for bytes in [response.serializedHead(), response.body] where !bytes.isEmpty {
            bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    _ = FCGX_PutStr($0, Int32(buffer.count), request.out)
                }
            }
        }
    }

    /// The CGI parameters nginx sent, a NULL-terminated array of `NAME=value` C strings, split at the first `=` byte.
    /// Public for the fuzzer.
    public static func parameters(_ envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var result: [String: String] = [:]
        guard var cursor = envp else { return result }
        result.reserveCapacity(32)
        while let entry = cursor.pointee {
            let pair = UnsafeRawBufferPointer(start: entry, count: strlen(entry))
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                result[String(decoding: pair[..<equals], as: UTF8.self)] = String(decoding: pair[(equals + 1)...], as: UTF8.self)
            }
            cursor += 1
        }
        return result
    }

    private func readInput(_ stream: UnsafeMutablePointer<FCGX_Stream>?, length: Int) -> [UInt8] {
        guard length > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: length)
        var total = 0
        while total < length {
            let read = body.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.advanced(by: total).withMemoryRebound(to: CChar.self, capacity: length - total) {
                    FCGX_GetStr($0, Int32(length - total), stream)
                }
            }
            if read <= 0 { break }
            total += Int(read)
        }
        return Array(body.prefix(total))
    }

    private func discardInput(_ stream: UnsafeMutablePointer<FCGX_Stream>?, length: Int) {
        var buffer = [CChar](repeating: 0, count: 65536)
        var remaining = length
        while remaining > 0 {
            let read = FCGX_GetStr(&buffer, Int32(min(remaining, buffer.count)), stream)
            if read <= 0 { break }
            remaining -= Int(read)
        }
    }
}

/// Why the server could not start.
public enum FastCGIError: Error, CustomStringConvertible {
    case initFailed
    case cannotListen(String)

    public var description: String {
        switch self {
        case .initFailed: "libfcgi initialisation failed"
        case .cannotListen(let path): "cannot listen on \(path)"
        }
    }
}
