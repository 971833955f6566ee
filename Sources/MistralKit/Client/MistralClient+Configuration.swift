import Foundation
import CoreMetrics
import Logging
import Tracing

extension MistralClient {
    /// How a client connects and behaves. Defaults suit production against Mistral's API.
    public struct Configuration: Sendable {
        /// The API key sent as `Authorization: Bearer`. Never logged.
        public var apiKey: String?
        public var server: MistralServer
        public var timeouts: Timeouts
        /// Extra headers on every request (e.g. a tenant header for a gateway).
        public var defaultHeaders: [(String, String)]
        public var userAgent: String
        /// Requests and responses are logged at `debug`, bodies at `trace`; the key is redacted.
        public var logger: Logger
        /// The largest non-streamed response body accepted.
        public var maxResponseBytes: Int
        /// HTTP/1.1 connections kept to one server at most (more requests wait for one); HTTP/2
        /// servers, such as Mistral's, multiplex over fewer. Used by the default transport.
        public var maxConnectionsPerHost: Int = 8

        // MARK: Resilience

        /// When failed calls are retried; on by default (3 attempts). ``RetryPolicy/disabled`` turns it off.
        public var retry: RetryPolicy = .default
        /// Bounds retries across calls (one retry per ten successes in steady state); `nil`
        /// lets every call retry. Share one between clients to bound a process.
        public var retryBudget: RetryBudget? = RetryBudget()
        /// The randomness of backoff waits; tests pass ``JitterSource/fixed(_:)``.
        public var jitter: JitterSource = .system
        /// Requests-per-second and tokens-per-minute limits kept on the client's side; `nil`: none.
        public var rateLimiter: RateLimiter? = nil
        /// Shares ``RateLimiter`` slots fairly between the lanes calls are made in (a gateway's
        /// keys), interactive first, refusing at once a call that would wait too long. It holds
        /// calls to the client's own upstream (fallback providers have their own limits); when
        /// set, its limiter is the one used and ``rateLimiter`` is ignored. `nil`: arrival order.
        public var fairQueue: FairQueue? = nil
        /// Queues for models whose own limits are lower than the upstream's (Mistral limits
        /// tokens per minute per model): a call to such a model, by its exact name after
        /// aliases, on the client's own upstream, waits in its model's queue first, then in
        /// ``fairQueue`` (or for ``rateLimiter``), so it keeps both limits. The wait for both
        /// together stays within the call's `maxWait`; refused in either, it fails with
        /// `.rateLimitWait` and holds nothing.
        public var modelQueues: [String: FairQueue] = [:]
        /// The most calls in flight at once; `nil`: no limit.
        public var concurrencyLimiter: ConcurrencyLimiter? = nil
        /// Circuit breakers per upstream and model; on by default, `nil` turns them off.
        public var circuitBreakers: CircuitBreakers? = CircuitBreakers()
        /// Routes tried in order when chat calls (plain and streamed) to the requested model fail after
        /// retries (5xx, timeouts, connection failures, 429s, a spent quota, an open circuit).
        public var fallbacks: [FallbackRoute] = []
        /// The clock backoff waits are measured on; tests pass a manual clock.
        public var clock: any Clock<Duration> = ContinuousClock()

        // MARK: Usage and cost

        /// Where each call's usage and cost is recorded; `nil`: nowhere.
        public var usageLedger: (any UsageLedger)? = nil
        /// Prices for cost accounting (Mistral's list prices by default).
        public var prices: PriceTable = .mistral
        /// A spending limit checked before each call; `nil`: none.
        public var budget: Budget? = nil
        /// Counts prompt tokens before sending (budgets, the token limiter); an estimate by default.
        /// With an exact counter (``ExactTokenCounter``), a chat request whose prompt plus
        /// `max_tokens` exceeds the model's context window is refused before sending.
        public var tokenCounter: any TokenCounting = EstimatedTokenCounter()
        /// Context windows by model id, for that check (Mistral's published ones by default).
        public var contextWindows: [String: Int] = ContextWindows.mistral
        /// Billing modifiers of this client's calls (batch, priority); regional endpoints are
        /// detected from ``server``.
        public var pricing: PricingContext = PricingContext()

        // MARK: Observability

        /// Hooks called around every attempt.
        public var hooks: [any MistralHook] = []
        /// Where metrics go; `nil`: the process-wide `MetricsSystem`.
        public var metricsFactory: (any MetricsFactory)? = nil
        /// Where spans go; `nil`: the process-wide `InstrumentationSystem.tracer`.
        public var tracer: (any Tracer)? = nil

        public init(
            apiKey: String?, server: MistralServer = .global, timeouts: Timeouts = Timeouts(),
            defaultHeaders: [(String, String)] = [], userAgent: String = "mistralkit-swift/\(MistralClient.version)",
            logger: Logger = Logger(label: "MistralKit"), maxResponseBytes: Int = 64 << 20
        ) {
            self.apiKey = apiKey
            self.server = server
            self.timeouts = timeouts
            self.defaultHeaders = defaultHeaders
            self.userAgent = userAgent
            self.logger = logger
            self.maxResponseBytes = maxResponseBytes
        }

        /// The limiter calls wait for: the fair queue's, else ``rateLimiter``.
        var upstreamLimiter: RateLimiter? { fairQueue?.limiter ?? rateLimiter }

        /// Reads `MISTRAL_API_KEY`, and `MISTRAL_BASE_URL` or `MISTRAL_SERVER` (global, eu, us),
        /// from `environment`. The process environment is read only when you pass it.
        public static func fromEnvironment(_ environment: [String: String]) -> Configuration {
            var server = MistralServer.global
            if let url = environment["MISTRAL_BASE_URL"], !url.isEmpty {
                server = MistralServer(baseURL: url)
            } else if let name = environment["MISTRAL_SERVER"], let named = MistralServer(named: name) {
                server = named
            }
            return Configuration(apiKey: environment["MISTRAL_API_KEY"], server: server)
        }
    }

    /// Time limits. Streams are bounded by the idle timeout between reads, not by a total
    /// deadline, so a long answer that keeps streaming is never cut.
    public struct Timeouts: Sendable, Hashable {
        /// Connection set-up.
        public var connect: Duration
        /// The longest silence between two reads of a response or stream. Mistral's own
        /// servers end a stream after 10 minutes idle; the default is 5.
        public var readIdle: Duration
        /// An optional bound on a whole call, stream included.
        public var total: Duration?

        public init(connect: Duration = .seconds(10), readIdle: Duration = .seconds(300), total: Duration? = nil) {
            self.connect = connect
            self.readIdle = readIdle
            self.total = total
        }
    }

    /// Why every call must fail before sending (no key for Mistral's API, a bad base URL), or nil.
    static func check(_ configuration: Configuration) -> MistralError? {
        let official = [MistralServer.global, .eu, .us].contains(configuration.server)
        if official, (configuration.apiKey ?? "").isEmpty {
            return MistralError(
                kind: .configuration,
                message: "No API key for \(configuration.server): pass one in the configuration, --api-key, or MISTRAL_API_KEY.")
        }
        guard let url = URL(string: configuration.server.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            return MistralError(
                kind: .configuration, message: "The base URL '\(configuration.server.baseURL)' is not an http(s) URL.")
        }
        return nil
    }
}
