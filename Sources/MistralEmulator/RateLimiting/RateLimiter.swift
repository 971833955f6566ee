import Synchronization

/// Enforces ``EmulatorRateLimits`` on the emulator's clock and reports them as headers.
///
/// Requests per second use a token bucket; tokens per minute and the per-minute request
/// counters use fixed one-minute windows counted from the limiter's creation. All state sits
/// behind one `Mutex`, held only for arithmetic.
final class RateLimiter: Sendable {
    /// Whether a request may proceed.
    enum Decision: Equatable {
        case admitted
        /// Refused; the client should wait this many whole seconds (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct State {
        var bucket: Double
        var lastRefill: Duration = .zero
        var window: Int64 = 0
        var windowRequests = 0
        var windowTokens = 0
    }

    let limits: EmulatorRateLimits
    private let elapsed: @Sendable () -> Duration
    private let state: Mutex<State>

    /// A limiter reading time from `clock`, starting now.
    init(limits: EmulatorRateLimits, clock: any Clock<Duration>) {
        self.limits = limits
        self.elapsed = Self.stopwatch(clock)
        self.state = Mutex(State(bucket: max(1, limits.requestsPerSecond ?? 1)))
    }

    /// Takes one request from the per-second bucket.
    func admitRequest() -> Decision {
        let now = elapsed()
        return state.withLock { state in
            roll(&state, now)
            if let rate = limits.requestsPerSecond {
                let capacity = max(1, rate)
                state.bucket = min(capacity, state.bucket + (now - state.lastRefill).seconds * rate)
                state.lastRefill = now
                guard state.bucket >= 1 else {
                    return .limited(retryAfterSeconds: max(1, Int(((1 - state.bucket) / rate).rounded(.up))))
                }
                state.bucket -= 1
            }
            state.windowRequests += 1
            return .admitted
        }
    }

    /// Whether `promptTokens` more tokens fit in this minute's budget (nothing is charged).
    func admitTokens(_ promptTokens: Int) -> Decision {
        guard let limit = limits.tokensPerMinute else { return .admitted }
        let now = elapsed()
        return state.withLock { state in
            roll(&state, now)
            guard state.windowTokens + promptTokens <= limit else {
                let windowEnd = Duration.seconds(60 * (state.window + 1))
                return .limited(retryAfterSeconds: max(1, Int((windowEnd - now).seconds.rounded(.up))))
            }
            return .admitted
        }
    }

    /// Charges `tokens` (prompt plus completion) to this minute.
    func charge(_ tokens: Int) {
        let now = elapsed()
        state.withLock { state in
            roll(&state, now)
            state.windowTokens += tokens
        }
    }

    /// The `x-ratelimit-*` headers describing the current window; empty when unlimited.
    func headers() -> [(String, String)] {
        guard limits.isLimited else { return [] }
        let now = elapsed()
        return state.withLock { state in
            roll(&state, now)
            var headers: [(String, String)] = []
            if let limit = limits.tokensPerMinute {
                headers.append(("x-ratelimit-limit-tokens-minute", String(limit)))
                headers.append(("x-ratelimit-remaining-tokens-minute", String(max(0, limit - state.windowTokens))))
            }
            if let rate = limits.requestsPerSecond {
                let perMinute = Int((rate * 60).rounded(.down))
                headers.append(("x-ratelimit-limit-req-minute", String(perMinute)))
                headers.append(("x-ratelimit-remaining-req-minute", String(max(0, perMinute - state.windowRequests))))
            }
            return headers
        }
    }

    private func roll(_ state: inout State, _ now: Duration) {
        let window = now.components.seconds / 60
        if window != state.window {
            state.window = window
            state.windowRequests = 0
            state.windowTokens = 0
        }
    }

    /// The time since now on `clock`, with the clock's concrete type opened once.
    private static func stopwatch<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
