import Synchronization

/// A token bucket of retries, refilled by successful calls, so a failing upstream is not
/// hammered by every caller retrying at once.
///
/// Each retry costs one token; each successful call adds ``depositPerSuccess`` (0.1 by
/// default: at most one retry per ten successes in steady state), up to ``capacity``. When the
/// bucket is empty, failures are returned to the caller at once. Share one budget between
/// clients to bound the retries of a whole process.
public final class RetryBudget: Sendable {
    /// The most tokens the bucket holds; it starts full.
    public let capacity: Double
    /// Tokens returned by each successful call.
    public let depositPerSuccess: Double
    private let tokens: Mutex<Double>

    public init(capacity: Double = 10, depositPerSuccess: Double = 0.1) {
        self.capacity = max(0, capacity)
        self.depositPerSuccess = max(0, depositPerSuccess)
        self.tokens = Mutex(max(0, capacity))
    }

    /// Tokens available now.
    public var available: Double { tokens.withLock { $0 } }

    /// Takes one retry token; false when none is left.
    func withdraw() -> Bool {
        tokens.withLock { tokens in
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }

    /// Credits a successful call.
    func deposit() {
        tokens.withLock { $0 = min(capacity, $0 + depositPerSuccess) }
    }
}
