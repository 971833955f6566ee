import Foundation

/// One call's usage and cost, as kept by a ``UsageLedger``.
///
/// Every call that reached the upstream is recorded, failed and cut ones included: a stream
/// cut mid-way is recorded with the tokens that arrived (``estimated`` when the upstream sent
/// no usage), so no token goes uncounted.
public struct UsageRecord: Sendable, Hashable, Codable {
    public var timestamp: Date
    /// e.g. `chat`, `chat.stream`, `fim`, `embeddings`.
    public var endpoint: String
    /// The model that answered (after any fallback).
    public var model: String
    /// Which upstream answered: `mistral`, or a fallback provider's name.
    public var provider: String
    public var requestID: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int
    /// Cost in US dollars; `nil` when the price table does not know the model.
    public var costUSD: Double?
    /// True when the token counts are the client's estimate (the upstream sent no usage).
    public var estimated: Bool
    /// `ok`, or the error kind that ended the call (e.g. `stream truncated`).
    public var outcome: String
    /// The caller's tags: user id, session id, feature, ...
    public var tags: [String: String]
    /// Wall time of the call, in milliseconds.
    public var latencyMilliseconds: Double?
    public var pricing: PricingContext

    public init(
        timestamp: Date = Date(), endpoint: String, model: String, provider: String = "mistral", requestID: String? = nil,
        promptTokens: Int, completionTokens: Int, cachedTokens: Int = 0, costUSD: Double?, estimated: Bool = false,
        outcome: String = "ok", tags: [String: String] = [:], latencyMilliseconds: Double? = nil,
        pricing: PricingContext = PricingContext()
    ) {
        self.timestamp = timestamp
        self.endpoint = endpoint
        self.model = model
        self.provider = provider
        self.requestID = requestID
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
        self.estimated = estimated
        self.outcome = outcome
        self.tags = tags
        self.latencyMilliseconds = latencyMilliseconds
        self.pricing = pricing
    }

    /// Prompt plus completion tokens.
    public var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case timestamp, endpoint, model, provider
        case requestID = "request_id"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case cachedTokens = "cached_tokens"
        case costUSD = "cost_usd"
        case estimated, outcome, tags
        case latencyMilliseconds = "latency_ms"
        case pricing
    }
}
