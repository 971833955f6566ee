import Synchronization

/// A clock whose sleeps return at once, moving its time forward by the slept amount and
/// recording each wait: retry tests check exact backoff waits without waiting.
public final class ImmediateClock: Clock, Sendable {
    public typealias Instant = ManualClock.Instant

    private struct State {
        var now = Instant(offset: .zero)
        var sleeps: [Duration] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// Every wait requested so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            let wait = state.now.duration(to: deadline)
            state.sleeps.append(wait)
            if deadline > state.now { state.now = deadline }
        }
    }
}

/// Polls `condition` every millisecond of real time until it holds, for up to `timeout`;
/// returns whether it held. For tests that wait on another task's progress.
public func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return try await condition()
}
