import Foundation
import Logging
import MistralChat
import MistralKit

/// How a gateway serves: where it listens, the upstream it relays to and that upstream's
/// limits, its routes, and how it keeps its ledger. Defaults suit one instance in front of
/// Mistral's API.
public struct GatewayConfiguration: Sendable {
    public var host: String
    /// `0` picks a free port (tests, benchmarks); the bound port is reported on start.
    public var port: Int
    /// The upstream client: server, key, timeouts, retries, fallbacks, prices. Its
    /// `fairQueue`, `budget` and `usageLedger` are the gateway's to set and are replaced.
    public var upstream: MistralClient.Configuration
    /// The upstream's own limits, kept for every caller together so the upstream never answers
    /// 429; `nil` members are learned from its `x-ratelimit-*` headers.
    public var upstreamLimits: RateLimits
    /// Lower limits of single models on that upstream (Mistral sets tokens per minute per
    /// model), by exact model name after aliases: calls to such a model keep its limits and
    /// the upstream's; both waits together stay within ``maxQueueWait``.
    public var modelLimits: [String: RateLimits] = [:]
    /// The longest a request waits for its turn at the upstream before it is refused with 429
    /// and an honest `Retry-After` (a request's own `x-mistralkit-max-wait-ms` may ask for less).
    public var maxQueueWait: Duration
    /// Model names callers may use for others: `"support": "mistral-small-latest"`.
    public var aliases: [String: String]
    /// The largest request body accepted (larger ones get 413).
    public var maxBodyBytes: Int
    /// How often buffered ledger rows are written (and the most a crash can lose).
    public var ledgerFlushInterval: Duration
    /// How often keys changed elsewhere (the CLI, another instance) are picked up.
    public var keyRefreshInterval: Duration
    /// Completion tokens reserved against a budget for a request without `max_tokens` when
    /// the model's context window is unknown.
    public var assumedCompletionTokens: Int
    /// Where one JSON line per request goes; `nil`: nowhere.
    public var accessLog: AccessLog?
    public var logger: Logger
    /// The most ledger rows held while the database refuses them; past it the gateway refuses
    /// requests with 503 rather than serve what it could not bill.
    public var maxLedgerBacklog: Int = 100_000
    /// Tools the chat service runs itself (Swift closures, webhooks): an agent's or a
    /// conversation's function of the same name runs on the server instead of being returned
    /// to the caller.
    public var chatTools: [ChatTool] = []
    /// Signs end-user tokens (at least 32 bytes). `nil`: a random one for this process, so its
    /// tokens stop working when it stops; give every instance the same one to share tokens.
    public var endUserTokenSecret: [UInt8]? = nil

    public init(
        host: String = "127.0.0.1", port: Int = 8080, upstream: MistralClient.Configuration,
        upstreamLimits: RateLimits = RateLimits(), maxQueueWait: Duration = .seconds(1), aliases: [String: String] = [:],
        maxBodyBytes: Int = 16 << 20, ledgerFlushInterval: Duration = .milliseconds(500), keyRefreshInterval: Duration = .seconds(1),
        assumedCompletionTokens: Int = 4096, accessLog: AccessLog? = nil, logger: Logger = Logger(label: "MistralGateway")
    ) {
        self.host = host
        self.port = port
        self.upstream = upstream
        // Every stream in flight holds an HTTP/1.1 connection to an HTTP/1.1 upstream.
        self.upstream.maxConnectionsPerHost = max(upstream.maxConnectionsPerHost, 4096)
        self.upstreamLimits = upstreamLimits
        self.maxQueueWait = maxQueueWait
        self.aliases = aliases
        self.maxBodyBytes = maxBodyBytes
        self.ledgerFlushInterval = ledgerFlushInterval
        self.keyRefreshInterval = keyRefreshInterval
        self.assumedCompletionTokens = assumedCompletionTokens
        self.accessLog = accessLog
        self.logger = logger
    }
}
