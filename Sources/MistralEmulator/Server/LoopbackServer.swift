import Logging
import ServiceLifecycle

/// Runs a server on `127.0.0.1` and a port the system picks, for as long as one call lasts: the
/// emulator's ``MistralEmulator/withRunning(_:_:)``, and other test peers (a recording proxy).
public enum LoopbackServer {
    /// Starts the service `makeService` builds, which must call the closure it is given with its
    /// bound port once it listens; runs `body` with that port; then shuts the service down
    /// gracefully and returns `body`'s result.
    /// Rethrows `body`'s error after shutdown; throws ``EmulatorStartError`` when the service stops
    /// before it listens, or the service's own error.
    public static func withRunning<Result>(
        logger: Logger,
        _ makeService: (@escaping @Sendable (Int) async -> Void) -> any Service,
        _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let service = makeService { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw EmulatorStartError(message: "The server stopped before it started listening.")
            }
            let result: Result
            do {
                result = try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
