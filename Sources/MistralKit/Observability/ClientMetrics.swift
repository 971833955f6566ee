import CoreMetrics

/// The swift-metrics instruments a client reports to, all prefixed `mistral_`.
///
/// | metric | type | dimensions |
/// |---|---|---|
/// | `mistral_requests_total` | counter | operation, model, outcome (`ok` or error kind) |
/// | `mistral_errors_total` | counter | operation, kind |
/// | `mistral_retries_total` | counter | operation, reason (error kind) |
/// | `mistral_rate_limited_total` | counter | operation, model (upstream 429s) |
/// | `mistral_limiter_wait_seconds` | timer | operation |
/// | `mistral_request_duration_seconds` | timer | operation, model |
/// | `mistral_time_to_first_token_seconds` | timer | operation, model |
/// | `mistral_tokens_total` | counter | model, type (`prompt`, `completion`, `cached`) |
/// | `mistral_cost_microusd_total` | counter | model (cost in millionths of a dollar, rounded) |
struct ClientMetrics: Sendable {
    let factory: any MetricsFactory
    /// Whether reports go nowhere (no backend bootstrapped, none configured). Then nothing is
    /// built at all: each instrument costs allocations (label, dimensions) on every call.
    let isDisabled: Bool

    init(factory: (any MetricsFactory)?) {
        self.factory = factory ?? MetricsSystem.factory
        self.isDisabled = self.factory is NOOPMetricsHandler
    }

    func request(operation: String, model: String?, outcome: String, duration: Duration) {
        guard !isDisabled else { return }
        let model = model ?? "-"
        Counter(label: "mistral_requests_total", dimensions: [("operation", operation), ("model", model), ("outcome", outcome)], factory: factory)
            .increment()
        Timer(label: "mistral_request_duration_seconds", dimensions: [("operation", operation), ("model", model)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    func error(operation: String, kind: MistralError.Kind) {
        guard !isDisabled else { return }
        Counter(label: "mistral_errors_total", dimensions: [("operation", operation), ("kind", kind.description)], factory: factory)
            .increment()
    }

    func retry(operation: String, reason: MistralError.Kind) {
        guard !isDisabled else { return }
        Counter(label: "mistral_retries_total", dimensions: [("operation", operation), ("reason", reason.description)], factory: factory)
            .increment()
    }

    func rateLimited(operation: String, model: String?) {
        guard !isDisabled else { return }
        Counter(label: "mistral_rate_limited_total", dimensions: [("operation", operation), ("model", model ?? "-")], factory: factory)
            .increment()
    }

    func limiterWait(operation: String, _ wait: Duration) {
        guard !isDisabled else { return }
        Timer(label: "mistral_limiter_wait_seconds", dimensions: [("operation", operation)], factory: factory).recordNanoseconds(wait.nanoseconds)
    }

    func timeToFirstToken(operation: String, model: String?, _ duration: Duration) {
        guard !isDisabled else { return }
        Timer(label: "mistral_time_to_first_token_seconds", dimensions: [("operation", operation), ("model", model ?? "-")], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    func usage(model: String, prompt: Int, completion: Int, cached: Int, costUSD: Double?) {
        guard !isDisabled else { return }
        for (type, count) in [("prompt", prompt), ("completion", completion), ("cached", cached)] where count > 0 {
            Counter(label: "mistral_tokens_total", dimensions: [("model", model), ("type", type)], factory: factory).increment(by: count)
        }
        // Whole micro-dollars on an integer counter: exact on every backend, where a
        // floating-point counter is rounded to whole units by backends without native support.
        if let costUSD, costUSD > 0 {
            Counter(label: "mistral_cost_microusd_total", dimensions: [("model", model)], factory: factory)
                .increment(by: Int64((costUSD * 1_000_000).rounded()))
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : scaled &+ attoseconds / 1_000_000_000
    }
}
