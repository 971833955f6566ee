import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Sends a ``LoadPlan``'s requests and records each one.
///
/// Everything on the timed path runs on SwiftNIO event loops, not in Swift tasks: the schedule is
/// a chain of `scheduleTask(deadline:)` timers, and each request goes through AsyncHTTPClient's
/// delegate API, which hands over the raw body parts. A request's latency is counted from its
/// *scheduled* start, so a generator that starts late (or a pool that makes requests wait for a
/// connection) cannot hide the server's slowness (coordinated omission); how late each start was
/// is recorded too, and a run whose starts were late is reported as invalid.
final class LoadGenerator: @unchecked Sendable {
    private let plan: LoadPlan
    private let group: MultiThreadedEventLoopGroup
    private let client: HTTPClient
    private let request: HTTPClient.Request
    private let scheduler: any EventLoop
    private let origin: NIODeadline
    private let state = Mutex(RunState())
    private let finished: EventLoopPromise<Void>
    /// The next request of the open-loop schedule; touched only on `scheduler`.
    private var nextIndex = 0

    private struct RunState {
        var records: [ExchangeRecord] = []
        var outstanding = 0
        var doneSending = false
        /// Requests in flight, sampled once a second (concurrent-streams mode).
        var inFlightSamples: [Int] = []
    }

    private init(plan: LoadPlan) throws {
        self.plan = plan
        group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        // A request may wait for a connection (the pool full, the server slow to accept) as long as it may take in all.
        configuration.timeout = .init(connect: TimeAmount(plan.timeout))
        // Below uvicorn's 5 s keep-alive, so that the pool never reuses a connection the server is closing.
        configuration.connectionPool = .init(idleTimeout: .seconds(4), concurrentHTTP1ConnectionsPerHostSoftLimit: plan.connections)
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroup: group, configuration: configuration)
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(plan.apiKey)")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: plan.streaming ? "text/event-stream" : "application/json")
        request = try HTTPClient.Request(url: plan.endpoint, method: .POST, headers: headers, body: .byteBuffer(try plan.body()))
        scheduler = group.next()
        finished = scheduler.makePromise()
        // A short lead, so that the first request is not late because the timers were still being set up.
        origin = .now() + .milliseconds(20)
    }

    /// Runs `plan` to the end (all requests answered, failed or timed out) and returns what happened.
    static func run(_ plan: LoadPlan) async throws -> LoadOutcome {
        let generator = try LoadGenerator(plan: plan)
        let cpuBefore = ProcessCPU.now()
        generator.begin()
        try await generator.finished.futureResult.get()
        let wall = (NIODeadline.now() - generator.origin).nanoseconds
        let cpu = ProcessCPU.now() - cpuBefore
        try await generator.client.shutdown()
        try await generator.group.shutdownGracefully()
        let state = generator.state.withLock { $0 }
        return LoadOutcome(
            plan: plan, records: state.records, inFlightSamples: state.inFlightSamples,
            wallSeconds: Double(wall) / 1e9, cpuSeconds: cpu)
    }

    private var end: Int64 { (plan.warmup + plan.duration).nanoseconds }

    private func begin() {
        switch plan.schedule {
        case .openLoop:
            scheduler.scheduleTask(deadline: origin) { self.tick() }
        case .concurrentStreams(let count, let ramp):
            nextIndex = 0
            scheduler.scheduleTask(deadline: origin) { self.ramp(count: count, perSecond: ramp) }
            scheduler.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { task in
                let done = self.state.withLock { state in
                    if !state.doneSending { state.inFlightSamples.append(state.outstanding) }
                    return state.doneSending
                }
                if done { task.cancel() }
            }
            scheduler.scheduleTask(deadline: origin + .nanoseconds(end)) { self.stopSending() }
        }
    }

    /// The scheduled start of open-loop request `index`, in nanoseconds from `origin`.
    private func scheduledStart(_ index: Int, perSecond: Double) -> Int64 {
        Int64((Double(index) * 1e9 / perSecond).rounded())
    }

    /// Starts every open-loop request that is due (more than one when the loop was late), then
    /// sets a timer for the next one.
    private func tick() {
        guard case .openLoop(let perSecond) = plan.schedule else { return }
        let total = Int((Double(end) / 1e9 * perSecond).rounded())
        while nextIndex < total {
            let due = scheduledStart(nextIndex, perSecond: perSecond)
            guard due <= (NIODeadline.now() - origin).nanoseconds else {
                scheduler.scheduleTask(deadline: origin + .nanoseconds(due)) { self.tick() }
                return
            }
            start(scheduled: due)
            nextIndex += 1
        }
        stopSending()
    }

    /// Opens the concurrent streams at `perSecond`; each is replaced when it ends (``complete(_:)``).
    private func ramp(count: Int, perSecond: Double) {
        while nextIndex < count {
            let due = scheduledStart(nextIndex, perSecond: perSecond)
            let now = (NIODeadline.now() - origin).nanoseconds
            if now >= end { return }
            guard due <= now else {
                scheduler.scheduleTask(deadline: origin + .nanoseconds(due)) { self.ramp(count: count, perSecond: perSecond) }
                return
            }
            start(scheduled: due)
            nextIndex += 1
        }
    }

    private func stopSending() {
        let done = state.withLock { state in
            state.doneSending = true
            return state.outstanding == 0
        }
        if done { finished.succeed() }
    }

    /// Sends one request; `replacing` when it takes the place of one that just ended (already counted as outstanding).
    private func start(scheduled: Int64, replacing: Bool = false) {
        if !replacing {
            state.withLock { $0.outstanding += 1 }
        }
        let started = (NIODeadline.now() - origin).nanoseconds
        let exchange = TimedExchange(scheduled: scheduled, started: started, origin: origin, streaming: plan.streaming)
        let task = client.execute(
            request: request, delegate: exchange, eventLoop: .indifferent,
            deadline: origin + .nanoseconds(scheduled) + TimeAmount(plan.timeout))
        task.futureResult.whenComplete { result in
            switch result {
            case .success(let record): self.complete(record)
            case .failure(let error): self.complete(exchange.failed(error))
            }
        }
    }

    /// Files a finished request; in concurrent-streams mode, opens its replacement while the run lasts.
    private func complete(_ record: ExchangeRecord) {
        enum Next { case replace, wait, finish }
        let streamsHeld: Bool
        if case .concurrentStreams = plan.schedule { streamsHeld = true } else { streamsHeld = false }
        let next = state.withLock { state -> Next in
            state.records.append(record)
            if streamsHeld && !state.doneSending { return .replace }
            state.outstanding -= 1
            return state.doneSending && state.outstanding == 0 ? .finish : .wait
        }
        switch next {
        case .replace: start(scheduled: (NIODeadline.now() - origin).nanoseconds, replacing: true)
        case .finish: finished.succeed()
        case .wait: break
        }
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
