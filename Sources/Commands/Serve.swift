import ArgumentParser
import Cryptography
import FastCGI
import Foundation
import Identity
import Logging
import Web

/// `appliance serve`: answers FastCGI requests from nginx and delivers queued mail and back-channel requests.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the appliance over FastCGI (behind nginx).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let started = ContinuousClock.now
        let runtime = try Runtime.load(options, label: "serve")
        let app = WebApp(dependencies: runtime.dependencies, renderer: runtime.renderer, logger: runtime.logger)
        let sender = OutboxSender(outboxes: try runtime.outboxes(), dependencies: runtime.dependencies, logger: runtime.logger)
        let server = FastCGIServer(
            options: .init(
                socketPath: runtime.settings.server.socket, socketMode: UInt32(runtime.settings.server.socketMode),
                workers: runtime.settings.server.workers, maxBodyBytes: runtime.settings.server.maxBodyBytes),
            responder: app, logger: runtime.logger,
            onReload: { [path = options.config, directory = runtime.dependencies.services, logger = runtime.logger] in
                ServiceReload.run(configPath: path, into: directory, logger: logger)
            })
        sender.start()
        Thread.detachNewThread { [hasher = runtime.dependencies.hasher] in
            // Memory kept for Argon2 between sign-ins goes back to the system once sign-ins pause.
            while true {
                Thread.sleep(forTimeInterval: 5)
                hasher.releaseIdleMemory(unusedFor: .seconds(10))
            }
        }
        try server.run {
            runtime.logger.info(
                "ready",
                metadata: [
                    "startup_ms": "\(Int((ContinuousClock.now - started) / .milliseconds(1)))",
                    "base_url": "\(runtime.settings.server.baseURL)",
                ])
        }
        sender.stop()
    }
}

/// The thread inside `serve` that flushes the outboxes promptly; `maintenance` is the safety net.
final class OutboxSender: @unchecked Sendable {
    private let outboxes: [any OutboxDelivering]
    private let dependencies: Dependencies
    private let logger: Logger
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false

    init(outboxes: [any OutboxDelivering], dependencies: Dependencies, logger: Logger) {
        self.outboxes = outboxes
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
            for outbox in outboxes {
                do {
                    if let due = try outbox.nextDue(), due <= dependencies.clock.now() {
                        try outbox.deliverDue(batchSize: 20)
                    }
                } catch {
                    logger.error("outbox delivery failed", metadata: ["error": "\(error)"])
                }
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
