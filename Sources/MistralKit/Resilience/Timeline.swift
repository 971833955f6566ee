/// Time as the resilience machinery sees it: the time elapsed since a clock was adopted, and a
/// sleep until a point on that scale.
///
/// Wrapping `any Clock<Duration>` once here keeps the limiter, breaker and retry loop free of
/// generic clock types, and lets tests drive them with a manual clock.
struct Timeline: Sendable {
    /// Elapsed time since the timeline was made.
    let now: @Sendable () -> Duration
    /// Suspends until `now()` reaches the given offset; throws `CancellationError` when cancelled.
    let sleepUntil: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let start = clock.now
        now = { start.duration(to: clock.now) }
        sleepUntil = { offset in try await clock.sleep(until: start.advanced(by: offset), tolerance: nil) }
    }

    /// Opens the existential clock once.
    static func of(_ clock: any Clock<Duration>) -> Timeline { Timeline(clock) }

    /// Sleeps for `duration` from now.
    func sleep(for duration: Duration) async throws {
        try await sleepUntil(now() + duration)
    }
}

extension Duration {
    /// A duration from a number of seconds (which may be fractional or negative).
    static func seconds(double seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
