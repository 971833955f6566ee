import Foundation

/// One request through the gateway, as the ledger keeps it: who asked, what it cost, who
/// answered, how long it took. Exactly one row per request, retries and fallbacks included.
public struct LedgerEntry: Sendable, Hashable, Codable {
    /// The gateway's request id (also sent to the caller as `x-request-id`).
    public var id: String
    /// When the request arrived.
    public var timestamp: Date
    /// The ``VirtualKey/id`` of the key that made it.
    public var keyID: String
    /// The key's ``VirtualKey/owner`` at the time.
    public var owner: String
    /// `chat`, `chat.stream`, `fim`, `fim.stream`, `embeddings`, `moderations`, `chat.moderations`,
    /// `classifications`, `chat.classifications`, `ocr`.
    public var endpoint: String
    /// The model asked for.
    public var requestedModel: String
    /// The model that answered (after aliases and fallbacks).
    public var model: String
    /// The upstream that answered (`mistral`, a fallback provider's name); `nil` when none did.
    public var provider: String?
    /// Prompt tokens, as the upstream reported them (or as the gateway counted them; see ``estimated``).
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int
    /// Prompt tokens the upstream served from its cache.
    public var cachedTokens: Int
    /// What the request cost, in US dollars.
    public var costUSD: Double
    /// True when the token counts are the gateway's count (the upstream sent no usage).
    public var estimated: Bool
    /// The HTTP status the caller got (200 even for a stream that was later cut; see ``outcome``).
    public var status: Int
    /// `ok`, or what ended the request (`stream truncated`, `cancelled`, `rate limited`, ...).
    public var outcome: String
    /// How long the request took at the gateway.
    public var latencyMilliseconds: Double
    /// For streams: time until the first chunk reached the caller.
    public var timeToFirstTokenMilliseconds: Double?
    /// True when the gateway answered from its cache.
    public var cacheHit: Bool
    /// `upstream/model` of the fallback route that answered, when not the first.
    public var fallback: String?
    /// The upstream's own request id.
    public var upstreamRequestID: String?
    /// The caller's tags (`x-mistralkit-tags: a=1,b=2`).
    public var tags: [String: String]

    /// A ledger row; the optional facts default to none, a cache miss and no tags.
    public init(
        id: String, timestamp: Date, keyID: String, owner: String, endpoint: String, requestedModel: String, model: String,
        provider: String?, promptTokens: Int, completionTokens: Int, cachedTokens: Int = 0, costUSD: Double, estimated: Bool,
        status: Int, outcome: String, latencyMilliseconds: Double, timeToFirstTokenMilliseconds: Double? = nil,
        cacheHit: Bool = false, fallback: String? = nil, upstreamRequestID: String? = nil, tags: [String: String] = [:]
    ) {
        self.id = id
        self.timestamp = timestamp
        self.keyID = keyID
        self.owner = owner
        self.endpoint = endpoint
        self.requestedModel = requestedModel
        self.model = model
        self.provider = provider
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
        self.estimated = estimated
        self.status = status
        self.outcome = outcome
        self.latencyMilliseconds = latencyMilliseconds
        self.timeToFirstTokenMilliseconds = timeToFirstTokenMilliseconds
        self.cacheHit = cacheHit
        self.fallback = fallback
        self.upstreamRequestID = upstreamRequestID
        self.tags = tags
    }
}

/// Which ledger rows to read.
public struct LedgerQuery: Sendable, Hashable {
    /// Only this key's rows.
    public var keyID: String?
    /// Only this owner's rows.
    public var owner: String?
    /// Rows at or after this time.
    public var since: Date?
    /// Rows before this time.
    public var until: Date?
    /// At most this many rows, oldest first, after skipping `offset`: 0 to ``maximumLimit``
    /// (a value outside is brought into that range).
    public var limit: Int
    /// Rows to skip first (a negative value counts as 0).
    public var offset: Int

    /// The most rows one query returns.
    public static let maximumLimit = 10_000

    /// A query; every filter defaults to none, the page to the first 1,000 rows.
    public init(keyID: String? = nil, owner: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 1000, offset: Int = 0) {
        self.keyID = keyID
        self.owner = owner
        self.since = since
        self.until = until
        self.limit = limit
        self.offset = offset
    }
}
