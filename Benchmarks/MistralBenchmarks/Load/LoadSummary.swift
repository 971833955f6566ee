import Foundation

/// The raw result of a run: every request's record and what the run cost the generator.
struct LoadOutcome: Sendable {
    var plan: LoadPlan
    var records: [ExchangeRecord]
    var inFlightSamples: [Int]
    var wallSeconds: Double
    var cpuSeconds: Double
}

/// Percentiles of a sample, in milliseconds.
struct Percentiles: Codable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var mean: Double

    /// The percentiles of `nanoseconds` (nearest rank), `nil` for an empty sample.
    init?(nanoseconds: [Int64]) {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        func at(_ q: Double) -> Double {
            let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
            return Double(sorted[Swift.min(Swift.max(rank, 0), sorted.count - 1)]) / 1e6
        }
        count = sorted.count
        p50 = at(0.5)
        p90 = at(0.9)
        p99 = at(0.99)
        max = Double(sorted.last!) / 1e6
        mean = Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6
    }
}

/// What a run measured, as printed for people or written as JSON for scripts.
///
/// Only requests scheduled after the warm-up count. Latencies are of successful (2xx) requests,
/// from the scheduled start: `latency` until the whole body (JSON) or the stream's end,
/// `firstEvent` until the first SSE `data:` line (streams), `head` until the response head.
struct LoadSummary: Codable, Sendable {
    var label: String
    var url: String
    var mode: String
    var streaming: Bool
    var offeredRate: Double?
    var concurrentStreams: Int?
    var durationSeconds: Double
    var warmupSeconds: Double
    /// Requests started in the measured window, and their rate from the first start to the last.
    var sent: Int
    var sentRate: Double
    /// Successful responses that ended inside the measured window, per second.
    var throughput: Double
    var succeeded: Int
    /// Responses by status code, and failures without a complete response by kind.
    var statuses: [String: Int]
    var failures: [String: Int]
    var errors: Int
    var latency: Percentiles?
    var firstEvent: Percentiles?
    var head: Percentiles?
    /// How late the generator started requests after their scheduled time.
    var lateness: Percentiles?
    /// False when the generator fell behind (p99 lateness above the plan's maximum): the
    /// latencies then measure the generator as much as the target.
    var valid: Bool
    var inFlightMin: Int?
    var inFlightMax: Int?
    /// The generator's own CPU time over the run's wall time (1.0 = one core busy).
    var generatorCPU: Double
    var wallSeconds: Double

    init(_ outcome: LoadOutcome, label: String) {
        let plan = outcome.plan
        let windowStart = plan.warmup.nanoseconds
        let windowEnd = (plan.warmup + plan.duration).nanoseconds
        let measured = outcome.records.filter { $0.scheduled >= windowStart }
        let good = measured.filter(\.succeeded)
        self.label = label
        url = plan.url
        streaming = plan.streaming
        switch plan.schedule {
        case .openLoop(let perSecond):
            mode = "open-loop"
            offeredRate = perSecond
        case .concurrentStreams(let count, _):
            mode = "concurrent-streams"
            concurrentStreams = count
        }
        durationSeconds = Double(windowEnd - windowStart) / 1e9
        warmupSeconds = Double(windowStart) / 1e9
        sent = measured.count
        let starts = measured.map(\.started)
        if let first = starts.min(), let last = starts.max(), last > first {
            sentRate = Double(measured.count - 1) / (Double(last - first) / 1e9)
        } else {
            sentRate = 0
        }
        let endedInWindow = outcome.records.filter { $0.succeeded && $0.ended >= windowStart && $0.ended < windowEnd }.count
        throughput = Double(endedInWindow) / durationSeconds
        succeeded = good.count
        statuses = Dictionary(grouping: measured.compactMap(\.status), by: { String($0) }).mapValues(\.count)
        failures = Dictionary(grouping: measured.compactMap(\.failure), by: { $0 }).mapValues(\.count)
        errors = measured.count - good.count
        latency = Percentiles(nanoseconds: good.map { $0.ended - $0.scheduled })
        firstEvent = plan.streaming ? Percentiles(nanoseconds: good.compactMap { record in record.firstEvent.map { $0 - record.scheduled } }) : nil
        head = Percentiles(nanoseconds: good.compactMap { record in record.head.map { $0 - record.scheduled } })
        lateness = Percentiles(nanoseconds: measured.map(\.lateness))
        valid = (lateness?.p99 ?? 0) <= Double(plan.maximumLateness.nanoseconds) / 1e6
        // Samples from after the ramp, when all streams should be open.
        let held = outcome.inFlightSamples.dropFirst(Int(plan.warmup.components.seconds))
        inFlightMin = held.min()
        inFlightMax = outcome.inFlightSamples.max()
        generatorCPU = outcome.cpuSeconds / outcome.wallSeconds
        wallSeconds = outcome.wallSeconds
    }

    /// A few lines for a person.
    var text: String {
        func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
        func line(_ name: String, _ p: Percentiles?) -> String {
            guard let p else { return "\(name): -\n" }
            return "\(name): p50 \(ms(p.p50)) ms, p90 \(ms(p.p90)) ms, p99 \(ms(p.p99)) ms, max \(ms(p.max)) ms (\(p.count))\n"
        }
        var text = "\(label.isEmpty ? "" : label + ": ")\(mode) \(streaming ? "stream" : "JSON") against \(url), "
        if let offeredRate { text += String(format: "%g req/s offered", offeredRate) }
        if let concurrentStreams { text += "\(concurrentStreams) concurrent streams" }
        text += String(format: " for %g s after %g s of warm-up\n", durationSeconds, warmupSeconds)
        text += String(format: "sent %d (%.1f/s); %d succeeded; throughput %.1f/s; %d errors", sent, sentRate, succeeded, throughput, errors)
        let kinds = statuses.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" } + failures.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
        text += kinds.isEmpty ? "\n" : " (" + kinds.joined(separator: ", ") + ")\n"
        text += line(streaming ? "latency to the stream's end" : "latency to the whole body", latency)
        if streaming { text += line("latency to the first event", firstEvent) }
        text += line("start lateness", lateness)
        if let inFlightMin, let inFlightMax { text += "in flight after the ramp: min \(inFlightMin), max \(inFlightMax)\n" }
        text += String(format: "generator CPU: %.0f%% of one core over %.1f s\n", generatorCPU * 100, wallSeconds)
        if !valid { text += "INVALID: the generator started requests late (p99 lateness above the limit); the latencies measure it too\n" }
        return text
    }
}
