/// Request and token rates a client keeps under.
public struct RateLimits: Sendable, Hashable {
    /// Requests per second; `nil` for no request limit.
    public var requestsPerSecond: Double?
    /// Tokens (prompt plus completion) per minute; `nil` for no token limit.
    public var tokensPerMinute: Int?
    /// How many requests may start back to back after an idle spell. `1` paces them evenly,
    /// which is what an upstream counting per second rewards.
    public var requestBurst: Int

    public init(requestsPerSecond: Double? = nil, tokensPerMinute: Int? = nil, requestBurst: Int = 1) {
        self.requestsPerSecond = requestsPerSecond.map { max(0.001, $0) }
        self.tokensPerMinute = tokensPerMinute.map { max(1, $0) }
        self.requestBurst = max(1, requestBurst)
    }

    /// No limits.
    public static let unlimited = RateLimits()

    var isUnlimited: Bool { requestsPerSecond == nil && tokensPerMinute == nil }
}
