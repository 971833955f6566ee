import Foundation
import MistralEmulator
import MistralKit
import NIOHTTP1
import Synchronization

/// The common production scenario, run for real against the emulator over HTTP: the upstream
/// allows 20 requests/s, the application offers 100 requests/s for a minute. Each call has a
/// 10 s deadline (a user waiting for an answer). Variants, one after the other in one run:
///
/// - **retries only**: what an official SDK does with retries turned on (3 attempts,
///   `Retry-After` honoured, no client-side limit, no retry budget);
/// - **MistralKit limiter**: a client rate limiter configured at 20 requests/s (kept 1% under),
///   deadline-aware, plus MistralKit's default retries;
/// - **adaptive limiter**: the limiter starting with no limit, learning it from the
///   `x-ratelimit-*` headers and 429s.
///
/// Utilisation is the upstream's successful calls divided by what the limit allows over the
/// run's wall time (20/s × seconds from the first call to the last answer).
enum RateLimitScenario {
    struct Outcome {
        var name: String
        var offered = 0
        var succeeded = 0
        var failedLocally = 0
        var failedUpstream = 0
        var upstream429s = 0
        var latencies: [Double] = []
        var wallSeconds = 0.0
        var limit = 0.0

        var utilisation: Double { Double(succeeded) / (limit * wallSeconds) }
    }

    /// Counts each attempt's 429 through the client's hooks.
    final class Counter: MistralHook {
        let rateLimited = Atomic<Int>(0)
        func onError(_ error: MistralError, context: HookContext) async {
            if error.status == 429 { rateLimited.add(1, ordering: .relaxed) }
        }
    }

    static func run(report: inout Report, offeredPerSecond: Int = 100, upstreamPerSecond: Double = 20, seconds: Int = 60) async throws {
        var outcomes: [Outcome] = []
        for variant in ["retries only", "MistralKit limiter", "adaptive limiter"] {
            let outcome = try await MistralEmulator.withRunning(
                EmulatorConfiguration(rateLimits: EmulatorRateLimits(requestsPerSecond: upstreamPerSecond))
            ) { baseURL, _ in
                let counter = Counter()
                var configuration = MistralClient.Configuration(apiKey: "bench-key", server: MistralServer(baseURL: baseURL))
                configuration.timeouts.total = .seconds(10)
                configuration.hooks = [counter]
                configuration.circuitBreakers = nil
                switch variant {
                case "retries only":
                    configuration.retryBudget = nil
                case "MistralKit limiter":
                    configuration.rateLimiter = RateLimiter(limits: RateLimits(requestsPerSecond: upstreamPerSecond))
                default:
                    configuration.rateLimiter = RateLimiter(limits: .unlimited, adaptive: true)
                }
                let client = MistralClient(configuration: configuration)
                var outcome = try await offer(client, name: variant, perSecond: offeredPerSecond, seconds: seconds)
                outcome.upstream429s = counter.rateLimited.load(ordering: .relaxed)
                outcome.limit = upstreamPerSecond
                try await client.shutdown()
                return outcome
            }
            print(
                String(
                    format: "%@: %d offered, %d succeeded, %d upstream 429s, %d failed locally, %d failed upstream, utilisation %.1f%%",
                    outcome.name, outcome.offered, outcome.succeeded, outcome.upstream429s, outcome.failedLocally, outcome.failedUpstream,
                    outcome.utilisation * 100))
            outcomes.append(outcome)
        }
        for outcome in outcomes {
            let latencies = outcome.latencies.sorted()
            report.add(
                "\(offeredPerSecond) req/s offered to a \(Int(upstreamPerSecond)) req/s upstream for \(seconds) s: \(outcome.name)",
                median: millis(latencies.median), p90: millis(latencies.quantile(0.99)) + " (p99)",
                note: String(
                    format: "%d upstream 429s; %d/%d succeeded; %d refused locally, %d failed upstream; utilisation %.1f%%",
                    outcome.upstream429s, outcome.succeeded, outcome.offered, outcome.failedLocally, outcome.failedUpstream,
                    outcome.utilisation * 100))
        }
    }

    /// Starts one call every 1/`perSecond` s (open loop) and waits for all of them.
    static func offer(_ client: MistralClient, name: String, perSecond: Int, seconds: Int) async throws -> Outcome {
        let request = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("What is the capital of France?")], maxTokens: 16)
        let interval = Duration.seconds(1) / perSecond
        let start = ContinuousClock.now
        let results = await withTaskGroup(of: (Double, MistralError?).self) { group in
            for index in 0..<(perSecond * seconds) {
                let scheduled = start + interval * index
                try? await Task.sleep(until: scheduled, clock: .continuous)
                group.addTask {
                    do {
                        _ = try await client.chat(request)
                        return ((ContinuousClock.now - scheduled).seconds, nil)
                    } catch let error as MistralError {
                        return ((ContinuousClock.now - scheduled).seconds, error)
                    } catch {
                        return ((ContinuousClock.now - scheduled).seconds, MistralError(kind: .connection, message: "\(error)"))
                    }
                }
            }
            var results: [(Double, MistralError?)] = []
            for await result in group { results.append(result) }
            return results
        }
        var outcome = Outcome(name: name, offered: results.count)
        outcome.wallSeconds = (ContinuousClock.now - start).seconds
        for (latency, error) in results {
            switch error?.kind {
            case nil:
                outcome.succeeded += 1
                outcome.latencies.append(latency)
            case .rateLimitWait?, .budgetExceeded?, .circuitOpen?:
                outcome.failedLocally += 1
            default:
                outcome.failedUpstream += 1
            }
        }
        return outcome
    }

    static func millis(_ seconds: Double) -> String {
        seconds.isNaN ? "-" : String(format: "%.0f ms", seconds * 1000)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
