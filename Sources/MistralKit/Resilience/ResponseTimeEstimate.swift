import Synchronization

/// A moving average of how long the upstream takes to answer (to the response head), so the
/// rate limiter does not admit a call that would start too late to finish before its deadline.
final class ResponseTimeEstimate: Sendable {
    private let average = Mutex<Double?>(nil)
    /// Weight of the newest sample.
    private let smoothing = 0.2

    /// Adds one observed response time.
    func observe(_ duration: Duration) {
        let seconds = duration.secondsValue
        average.withLock { $0 = $0.map { $0 + smoothing * (seconds - $0) } ?? seconds }
    }

    /// The time a call should have left when it starts: twice the average response time plus
    /// 50 ms for scheduling, or 50 ms before anything was observed.
    var reserve: Duration {
        .seconds(double: 2 * (average.withLock { $0 } ?? 0) + 0.05)
    }
}
