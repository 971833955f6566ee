import Foundation

/// When and how long the client waits before sending a failed request again.
///
/// On by default: up to 3 attempts with exponential backoff and jitter. Retried: 429 rate
/// limits, 500, 502, 503, 504, and connection failures before any response byte. Never retried:
/// other 4xx, a 429 for a spent quota (``MistralError/Kind-swift.struct/quotaExhausted``), and
/// anything after stream content reached the caller. A server's `Retry-After`,
/// `retry-after-ms` or rate-limit reset header replaces the computed wait; when it asks for
/// longer than ``maxBackoff`` the call fails at once rather than sleeping past the cap.
///
/// ```swift
/// config.retry = .disabled                       // off with one line
/// config.retry = RetryPolicy(maxAttempts: 5)     // more patience
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included: `1` means no retries.
    public var maxAttempts: Int
    /// The wait before the first retry, before jitter.
    public var initialBackoff: Duration
    /// Each later wait is this many times the previous one.
    public var multiplier: Double
    /// The longest single wait, computed or asked for by the server.
    public var maxBackoff: Duration
    /// The longest total time spent waiting between attempts of one call.
    public var maxTotalWait: Duration
    /// How much of each computed wait is random: the wait is `base × (1 − jitter × u)` for a
    /// uniform `u`, so callers failing together do not retry together.
    public var jitter: Double
    /// HTTP statuses worth another attempt.
    public var retryableStatuses: Set<Int>
    /// Retry connection failures and connect timeouts that happened before any response byte.
    public var retryConnectionFailures: Bool

    public init(
        maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(500), multiplier: Double = 2,
        maxBackoff: Duration = .seconds(30), maxTotalWait: Duration = .seconds(60), jitter: Double = 0.5,
        retryableStatuses: Set<Int> = [429, 500, 502, 503, 504], retryConnectionFailures: Bool = true
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.multiplier = max(1, multiplier)
        self.maxBackoff = maxBackoff
        self.maxTotalWait = maxTotalWait
        self.jitter = min(1, max(0, jitter))
        self.retryableStatuses = retryableStatuses
        self.retryConnectionFailures = retryConnectionFailures
    }

    /// The default: 3 attempts, 0.5 s then 1 s (less jitter), waits capped at 30 s and 60 s in all.
    public static let `default` = RetryPolicy()

    /// One attempt only.
    public static let disabled = RetryPolicy(maxAttempts: 1)

    /// The computed wait before retry number `retry` (0 for the first retry), for jitter sample `u`.
    public func backoff(beforeRetry retry: Int, jitterSample u: Double) -> Duration {
        let base = initialBackoff.secondsValue * pow(multiplier, Double(retry))
        let capped = min(base, maxBackoff.secondsValue)
        return .seconds(double: capped * (1 - jitter * u))
    }

    /// Whether `error` is the kind of failure a later attempt may not hit.
    public func isRetryable(_ error: MistralError) -> Bool {
        switch error.kind {
        case .rateLimited: return retryableStatuses.contains(429)
        case .server, .unexpectedStatus: return error.status.map(retryableStatuses.contains) ?? false
        case .connection: return retryConnectionFailures && error.partial == nil
        case .timeout: return retryConnectionFailures && error.isConnectTimeout
        default: return false
        }
    }

    /// The wait the server asked for: `Retry-After` / `retry-after-ms`, else the rate-limit reset.
    static func serverHint(_ error: MistralError) -> Duration? {
        if let retryAfter = error.retryAfter { return max(.zero, retryAfter) }
        if error.kind == .rateLimited, let reset = error.rateLimit?.resetSeconds { return .seconds(max(0, reset)) }
        return nil
    }
}

/// What to do after a failed attempt.
enum RetryDecision: Equatable {
    case retry(after: Duration)
    /// Give up; `reason` says why when it is not obvious from the error (shown to the caller).
    case giveUp(reason: String?)
}

extension RetryPolicy {
    /// Decides after attempt number `attempt` (1-based) failed with `error`, having already
    /// waited `waited` in this call, with `remaining` time before the call's deadline.
    func decide(
        after error: MistralError, attempt: Int, waited: Duration, remaining: Duration?, jitter: JitterSource
    ) -> RetryDecision {
        guard isRetryable(error) else { return .giveUp(reason: nil) }
        guard attempt < maxAttempts else {
            return .giveUp(reason: maxAttempts > 1 ? "gave up after \(attempt) attempts" : nil)
        }
        let wait: Duration
        if let hint = Self.serverHint(error) {
            if hint > maxBackoff {
                return .giveUp(
                    reason: "the server asked to wait \(hint.formattedSeconds), longer than the retry cap of \(maxBackoff.formattedSeconds)")
            }
            wait = hint
        } else {
            wait = backoff(beforeRetry: attempt - 1, jitterSample: jitter.sample())
        }
        if waited + wait > maxTotalWait {
            return .giveUp(reason: "another wait of \(wait.formattedSeconds) would exceed the total retry wait of \(maxTotalWait.formattedSeconds)")
        }
        if let remaining, wait >= remaining {
            return .giveUp(reason: "waiting \(wait.formattedSeconds) would pass the call's deadline")
        }
        return .retry(after: wait)
    }
}

extension MistralError {
    /// A connect timeout: nothing was sent, so a retry cannot duplicate work.
    var isConnectTimeout: Bool {
        kind == .timeout && message.hasPrefix("Connecting")
    }
}
