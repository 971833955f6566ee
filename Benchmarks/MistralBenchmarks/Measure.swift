import Foundation

/// Times `body` `runs` times after `warmup` runs and returns the sorted durations in seconds.
func measure(runs: Int, warmup: Int = 3, _ body: () async throws -> Void) async rethrows -> [Double] {
    for _ in 0..<warmup { try await body() }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return samples.sorted()
}

/// Times each of `variants` `runs` times, one call of each in turn with the order rotating
/// every round, after `warmup` rounds; returns each variant's durations in seconds, in round
/// order (so that the calls of one round can be compared with each other).
func interleaved(runs: Int, warmup: Int, _ variants: [(String, () async throws -> Void)]) async throws -> [String: [Double]] {
    var samples: [String: [Double]] = [:]
    let clock = ContinuousClock()
    for round in 0..<(warmup + runs) {
        for offset in variants.indices {
            let (name, body) = variants[(round + offset) % variants.count]
            let start = clock.now
            try await body()
            let elapsed = clock.now - start
            if round >= warmup {
                samples[name, default: []].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
    }
    return samples
}

/// The median, over rounds, of `ours[i] / base[i] - 1` in percent: the overhead measured call
/// against call within each round, which machine phases (slow and fast minutes) cannot tilt.
func pairedOverhead(_ ours: [Double], _ base: [Double]) -> Double {
    (zip(ours, base).map { $0 / $1 - 1 }.sorted().median) * 100
}

extension Array where Element == Double {
    /// The value at quantile `q` of a sorted sample.
    func quantile(_ q: Double) -> Double {
        guard !isEmpty else { return .nan }
        return self[Swift.min(count - 1, Int((Double(count - 1) * q).rounded()))]
    }
    var median: Double { quantile(0.5) }
    var mean: Double { reduce(0, +) / Double(count) }
}

func formatMicros(_ seconds: Double) -> String { String(format: "%.1f µs", seconds * 1e6) }
func formatMillis(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1e3) }
