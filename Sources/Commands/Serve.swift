import ArgumentParser
import FastCGI
import Foundation
import Identity
import Logging
import Web

/// `appliance serve`: answers FastCGI requests from nginx and delivers queued mail.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the appliance over FastCGI (behind nginx).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let started = Date()
        let runtime = try Runtime.load(options, label: "serve")
        let app = WebApp(dependencies: runtime.dependencies, renderer: runtime.renderer, logger: runtime.logger)
        let sender = OutboxSender(
            delivery: MailDelivery(runtime.dependencies, transport: try runtime.mailTransport(), logger: runtime.logger),
            dependencies: runtime.dependencies, logger: runtime.logger)
        let server = FastCGIServer(
            options: .init(
                socketPath: runtime.settings.server.socket, socketMode: UInt32(runtime.settings.server.socketMode),
                workers: runtime.settings.server.workers, maxBodyBytes: runtime.settings.server.maxBodyBytes),
            responder: app, logger: runtime.logger)
        sender.start()
        try server.run {
            runtime.logger.info(
                "ready",
                metadata: [
                    "startup_ms": "\(Int(Date().timeIntervalSince(started) * 1000))", "base_url": "\(runtime.settings.server.baseURL)",
                ])
        }
        sender.stop()
    }
}

/// The thread inside `serve` that delivers mail promptly; `maintenance` is the safety net.
final class OutboxSender: @unchecked Sendable {
    private let delivery: MailDelivery
    private let dependencies: Dependencies
    private let logger: Logger
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false

    init(delivery: MailDelivery, dependencies: Dependencies, logger: Logger) {
        self.delivery = delivery
        self.dependencies = dependencies
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "outbox"
        thread.start()
    }

    /// Asks the thread to stop and waits (briefly) for a delivery in progress to finish.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(2)
        while !finished && condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            if stopping { break }
            condition.unlock()
            do {
                let now = dependencies.clock.now()
                if let due = try dependencies.database.read({ try $0.nextMailDue() }), due <= now {
                    try delivery.deliverDue()
                }
            } catch {
                logger.error("outbox delivery failed", metadata: ["error": "\(error)"])
            }
            condition.lock()
            if stopping { break }
            // Polling once a second costs one indexed query and keeps delivery within a second or two.
            _ = condition.wait(until: Date().addingTimeInterval(1))
            condition.unlock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
