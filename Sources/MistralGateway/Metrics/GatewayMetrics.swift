import CoreMetrics
import Foundation

/// The gateway's own metrics (the upstream client adds its `mistral_*` ones through the same
/// factory): requests by endpoint, model, key and status; latency and time to first token;
/// queue depth; budget remaining.
struct GatewayMetrics: Sendable {
    let factory: any MetricsFactory

    func request(endpoint: String, model: String, keyPrefix: String, status: Int, duration: Duration) {
        Counter(
            label: "gateway_requests_total",
            dimensions: [("endpoint", endpoint), ("model", model), ("key", keyPrefix), ("status", String(status))], factory: factory
        ).increment()
        Timer(label: "gateway_request_duration_seconds", dimensions: [("endpoint", endpoint)], factory: factory)
            .recordNanoseconds(duration.nanosecondsValue)
    }

    func timeToFirstToken(endpoint: String, model: String, _ duration: Duration) {
        Timer(label: "gateway_time_to_first_token_seconds", dimensions: [("endpoint", endpoint), ("model", model)], factory: factory)
            .recordNanoseconds(duration.nanosecondsValue)
    }

    func queueDepth(_ depth: Int) {
        Gauge(label: "gateway_queue_depth", dimensions: [], factory: factory).record(depth)
    }

    /// Calls waiting in the queue of a model with its own limits.
    func modelQueueDepth(_ depth: Int, model: String) {
        Gauge(label: "gateway_model_queue_depth", dimensions: [("model", model)], factory: factory).record(depth)
    }

    func budgetRemaining(keyPrefix: String, _ usd: Double) {
        Gauge(label: "gateway_budget_remaining_usd", dimensions: [("key", keyPrefix)], factory: factory).record(usd)
    }
}

extension Duration {
    var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var secondsDouble: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
