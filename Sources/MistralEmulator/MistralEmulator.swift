import Hummingbird
import Logging
import MistralKit
import NIOCore
import ServiceLifecycle

/// A local stand-in for the Mistral API, close enough that the official SDKs cannot tell the
/// difference: the same endpoints, wire format, streaming, validation errors, rate limits and
/// headers, with deterministic answers, plus latency and injected faults for testing clients.
///
/// Run it as a ServiceLifecycle `Service` (``run()``), from a command line (``run(host:port:onListening:)``),
/// or around a test body (``withRunning(_:_:)``). Each instance keeps its own state (request
/// log, fault schedule, rate-limit windows, deleted models); there is no global state.
public final class MistralEmulator: Service, Sendable {
    /// The settings this instance was made with.
    public let configuration: EmulatorConfiguration
    /// Every request this instance received.
    public let requestLog: RequestLog
    private let schedule: FaultSchedule
    private let catalog: ModelCatalog
    private let limiter: RateLimiter

    /// An emulator that does not serve yet; call one of the `run` methods or use
    /// ``withRunning(_:_:)``.
    public init(configuration: EmulatorConfiguration = EmulatorConfiguration()) {
        self.configuration = configuration
        requestLog = RequestLog()
        schedule = FaultSchedule(configuration.faultSchedule)
        catalog = ModelCatalog(cards: configuration.models, embeddingDimensions: configuration.embeddingDimensions)
        limiter = RateLimiter(limits: configuration.rateLimits, clock: configuration.clock)
    }

    /// Appends `faults` to the schedule, to be applied to the next requests in order.
    public func scheduleFaults(_ faults: [EmulatorFault]) { schedule.append(faults) }

    /// How many scheduled faults have not been used yet.
    public var remainingScheduledFaults: Int { schedule.remaining }

    /// Serves on the configured host and port until the task is cancelled or the enclosing
    /// `ServiceGroup` shuts down gracefully. Throws when the address cannot be bound.
    public func run() async throws {
        try await makeApplication(host: configuration.host, port: configuration.port, onListening: nil).run()
    }

    /// Serves on `host:port` until SIGINT or SIGTERM, then shuts down gracefully (for
    /// `mistral emulate --port N`). `onListening` receives the bound port (useful with port 0).
    /// Throws when the address cannot be bound.
    public func run(host: String, port: Int, onListening: (@Sendable (Int) async -> Void)? = nil) async throws {
        try await makeApplication(host: host, port: port, onListening: onListening).runService()
    }

    /// Starts an emulator on `127.0.0.1` with an OS-chosen port, waits until it listens, runs
    /// `body` with its base URL (`http://127.0.0.1:<port>`) and the instance, then shuts it down
    /// gracefully (in-flight hangs are released) and returns `body`'s result.
    /// Rethrows `body`'s error after shutdown; throws when the server cannot start.
    public static func withRunning<Result>(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
        _ body: (String, MistralEmulator) async throws -> Result
    ) async throws -> Result {
        let emulator = MistralEmulator(configuration: configuration)
        return try await LoopbackServer.withRunning(logger: configuration.logger) { onListening in
            emulator.makeApplication(host: "127.0.0.1", port: 0, onListening: onListening)
        } _: { port in
            try await body("http://127.0.0.1:\(port)", emulator)
        }
    }

    /// The Hummingbird application serving this instance on `host:port`.
    func makeApplication(
        host: String, port: Int, onListening: (@Sendable (Int) async -> Void)?
    ) -> Application<RouterResponder<EmulatorRequestContext>> {
        let faults = FaultInjector(schedule: schedule, maximumHang: configuration.maximumHang, logger: configuration.logger)
        let middleware = EmulatorMiddleware(
            acceptedAPIKeys: configuration.acceptedAPIKeys, maxRequestBodyBytes: configuration.maxRequestBodyBytes,
            requestLog: requestLog, faults: faults, limiter: limiter, logger: configuration.logger)
        let api = EmulatedAPI(configuration: configuration, catalog: catalog, limiter: limiter, faults: faults, requestLog: requestLog)
        let logger = configuration.logger
        return Application(
            router: EmulatorRouter.make(api: api, middleware: middleware),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                logger.info("Mistral emulator listening", metadata: ["host": "\(host)", "port": "\(port)"])
                await onListening?(port)
            },
            logger: logger)
    }
}
