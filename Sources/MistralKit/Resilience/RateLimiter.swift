import Foundation
import Synchronization

/// A client-side limiter for requests per second and tokens per minute, so a client stays
/// under the upstream's limits instead of collecting 429s.
///
/// - **Shared:** give one limiter to several clients (``MistralClient/Configuration/rateLimiter``)
///   to share one budget across a process.
/// - **FIFO-fair:** each call reserves its slot when it arrives, so calls are admitted in
///   arrival order and a large request cannot be overtaken forever.
/// - **Tokens:** a call reserves its estimated tokens (prompt plus `max_tokens`) and the
///   reservation is corrected with the real usage when the response arrives.
/// - **Cancellation-safe:** a call cancelled while waiting returns its reservation.
/// - **Deadline-aware:** when the wait would exceed the time a call has left (the client keeps
///   back twice the recent response time, so a slot never goes to a call that would time out), the call fails at
///   once with ``MistralError/Kind-swift.struct/rateLimitWait`` instead of waiting in vain.
/// - **Adaptive** (optional): learns the real limits from the `x-ratelimit-*` /
///   `ratelimitbysize-*` headers and from 429s, and keeps ``headroom`` under them.
///
/// Limits are applied at ``headroom`` (99% by default) of their value, so that network jitter
/// does not push a request over an upstream limit counted on the server's side.
public final class RateLimiter: Sendable {
    /// The fraction of each limit actually used.
    public let headroom: Double
    /// Whether limits are learned from responses.
    public let adaptive: Bool
    private let timeline: Timeline
    private let state: Mutex<State>

    private struct State {
        var limits: RateLimits
        /// GCRA theoretical arrival time of the next request.
        var nextRequest: Duration = .zero
        /// Tokens available at `tokenStamp`; negative when reservations run ahead.
        var tokenLevel: Double
        var tokenStamp: Duration = .zero
        /// No request starts before this (set by a 429 in adaptive mode).
        var pausedUntil: Duration = .zero
        var learnedFromHeaders = false
    }

    /// A limiter enforcing `limits` (which may be ``RateLimits/unlimited`` in adaptive mode,
    /// to learn everything from the upstream).
    public init(
        limits: RateLimits, adaptive: Bool = false, headroom: Double = 0.99,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.headroom = min(1, max(0.1, headroom))
        self.adaptive = adaptive
        self.timeline = .of(clock)
        self.state = Mutex(State(limits: limits, tokenLevel: Double(limits.tokensPerMinute ?? 0)))
    }

    /// The limits in force (configured, or learned in adaptive mode), before ``headroom``.
    public var limits: RateLimits { state.withLock { $0.limits } }

    /// A call's admission: hand back the real token count with ``reconcile(actualTokens:)``.
    public struct Permit: Sendable {
        let limiter: RateLimiter?
        /// Tokens reserved for the call.
        public let reservedTokens: Int
        /// How long the call waited for admission.
        public let waited: Duration

        /// Corrects the reservation with what the call really used; later calls wait more or less.
        public func reconcile(actualTokens: Int) {
            limiter?.adjustTokens(by: actualTokens - reservedTokens)
        }
    }

    /// Waits until a call with `tokens` estimated tokens may start.
    ///
    /// - Parameters:
    ///   - tokens: the tokens the call reserves against the tokens-per-minute limit (its prompt
    ///     estimate plus `max_tokens`), reconciled later through the permit.
    ///   - maxWait: the longest acceptable wait; a longer one fails at once with
    ///     `.rateLimitWait` and reserves nothing.
    /// - Throws: `.rateLimitWait`, or `.cancelled` when the task is cancelled while waiting (the
    ///   reservation is then returned).
    public func acquire(tokens: Int, maxWait: Duration? = nil) async throws -> Permit {
        let now = timeline.now()
        let reservation = try state.withLock { state in try reserve(&state, tokens: tokens, now: now, maxWait: maxWait) }
        guard reservation.startAt > now else {
            return Permit(limiter: self, reservedTokens: reservation.tokens, waited: .zero)
        }
        do {
            try await timeline.sleepUntil(reservation.startAt)
        } catch {
            state.withLock { state in cancel(&state, reservation) }
            throw MistralError(kind: .cancelled, message: "The call was cancelled while waiting for the rate limiter.")
        }
        return Permit(limiter: self, reservedTokens: reservation.tokens, waited: reservation.startAt - now)
    }

    /// Learns from a response's headers (adaptive mode): the upstream's request and token
    /// limits, and the tokens it says remain this minute.
    public func observe(_ headers: RateLimitHeaders?) {
        guard adaptive, let headers else { return }
        let now = timeline.now()
        state.withLock { state in
            if let perMinute = headers.requestsPerMinuteLimit, perMinute > 0 {
                state.limits.requestsPerSecond = Double(perMinute) / 60
                state.learnedFromHeaders = true
            }
            if let tokens = headers.tokensPerMinuteLimit, tokens > 0 {
                if state.limits.tokensPerMinute == nil { state.tokenLevel = Double(tokens) * headroom }
                state.limits.tokensPerMinute = tokens
                state.learnedFromHeaders = true
            }
            if let remaining = headers.tokensPerMinuteRemaining {
                refill(&state, now: now)
                state.tokenLevel = min(state.tokenLevel, Double(remaining) * headroom)
            }
        }
    }

    /// Learns from a 429 (adaptive mode): nothing starts until the server's `Retry-After` (or
    /// one second) has passed, and without limit headers the request rate drops by a fifth.
    public func observeRateLimited(retryAfter: Duration?) {
        guard adaptive else { return }
        let now = timeline.now()
        state.withLock { state in
            state.pausedUntil = max(state.pausedUntil, now + (retryAfter ?? .seconds(1)))
            if !state.learnedFromHeaders, let rate = state.limits.requestsPerSecond {
                state.limits.requestsPerSecond = max(0.05, rate * 0.8)
            }
        }
    }

    /// When the next request could start, on the limiter's timeline (for tests).
    var nextRequestTime: Duration { state.withLock { $0.nextRequest } }

    // MARK: - Reservations

    private struct Reservation {
        var tokens: Int
        var startAt: Duration
        /// The GCRA time before and after this reservation, to undo it on cancellation.
        var previousNextRequest: Duration
        var nextRequest: Duration
    }

    /// Takes a permit for a call with `tokens` tokens that must start now, without waiting: a
    /// quota check (a gateway's per-key limits) rather than a pacer.
    /// - Throws: `.rateLimitWait` (reserving nothing), whose `retryAfter` says when it could start.
    public func acquireNow(tokens: Int) throws -> Permit {
        let now = timeline.now()
        let reservation = try state.withLock { state in try reserve(&state, tokens: tokens, now: now, maxWait: .zero) }
        return Permit(limiter: self, reservedTokens: reservation.tokens, waited: .zero)
    }

    /// How long a call with `tokens` tokens arriving now would wait, and the interval between two
    /// requests at the limit (`nil` without a request limit). Reserves nothing.
    func schedule(tokens: Int) -> (wait: Duration, interval: Duration?) {
        let now = timeline.now()
        return state.withLock { state in
            var copy = state
            let start = plannedStart(&copy, tokens: tokens, now: now).start
            return (max(.zero, start - now), Self.interval(state.limits, headroom: headroom))
        }
    }

    private static func interval(_ limits: RateLimits, headroom: Double) -> Duration? {
        limits.requestsPerSecond.map { .seconds(double: 1 / ($0 * headroom)) }
    }

    private func plannedStart(_ state: inout State, tokens: Int, now: Duration) -> (start: Duration, charged: Int, tokenLevel: Double) {
        var start = max(now, state.pausedUntil)
        if let interval = Self.interval(state.limits, headroom: headroom) {
            let tolerance = interval * (state.limits.requestBurst - 1)
            start = max(start, state.nextRequest - tolerance)
        }
        var charged = 0
        var tokenLevel = state.tokenLevel
        if let perMinute = state.limits.tokensPerMinute {
            refill(&state, now: now)
            let capacity = Double(perMinute) * headroom
            charged = min(max(0, tokens), Int(capacity))
            tokenLevel = state.tokenLevel - Double(charged)
            if tokenLevel < 0 {
                start = max(start, now + .seconds(double: -tokenLevel / (capacity / 60)))
            }
        }
        return (start, charged, tokenLevel)
    }

    private func reserve(_ state: inout State, tokens: Int, now: Duration, maxWait: Duration?) throws -> Reservation {
        let (start, charged, tokenLevel) = plannedStart(&state, tokens: tokens, now: now)
        let interval = Self.interval(state.limits, headroom: headroom)
        if let maxWait, start - now > maxWait {
            throw MistralError(
                kind: .rateLimitWait,
                message: "The client rate limiter would hold this call for \((start - now).formattedSeconds), longer than the \(maxWait.formattedSeconds) it has left.",
                retryAfter: start - now)
        }
        let previous = state.nextRequest
        if let interval { state.nextRequest = max(state.nextRequest, start) + interval }
        state.tokenLevel = tokenLevel
        return Reservation(tokens: charged, startAt: start, previousNextRequest: previous, nextRequest: state.nextRequest)
    }

    private func cancel(_ state: inout State, _ reservation: Reservation) {
        state.tokenLevel += Double(reservation.tokens)
        if state.nextRequest == reservation.nextRequest {
            // The latest reservation: its slot can be handed back whole.
            state.nextRequest = reservation.previousNextRequest
        }
    }

    private func refill(_ state: inout State, now: Duration) {
        guard let perMinute = state.limits.tokensPerMinute, now > state.tokenStamp else { return }
        let capacity = Double(perMinute) * headroom
        state.tokenLevel = min(capacity, state.tokenLevel + (now - state.tokenStamp).secondsValue * capacity / 60)
        state.tokenStamp = now
    }

    private func adjustTokens(by delta: Int) {
        guard delta != 0 else { return }
        let now = timeline.now()
        state.withLock { state in
            guard state.limits.tokensPerMinute != nil else { return }
            refill(&state, now: now)
            state.tokenLevel -= Double(delta)
        }
    }
}
