import NIOHTTP1

/// The rate-limit headers of a response, whichever family the server sent.
///
/// Mistral has used several header families over time (`x-ratelimit-*-tokens-minute`,
/// `x-ratelimitbysize-*`, `ratelimitbysize-*`); none is in the official schema. Every header
/// whose name contains `ratelimit` is kept, and the common figures are read from any family.
public struct RateLimitHeaders: Sendable, Hashable {
    /// Every `*ratelimit*` header, names lower-cased.
    public var values: [String: String]

    public init(values: [String: String]) { self.values = values }

    /// The rate-limit headers of `headers`, or `nil` when there are none.
    public init?(headers: HTTPHeaders) {
        var values: [String: String] = [:]
        for (name, value) in headers where name.lowercased().contains("ratelimit") {
            values[name.lowercased()] = value
        }
        if values.isEmpty { return nil }
        self.values = values
    }

    /// The integer value of header `name`, if present and numeric.
    public func integer(_ name: String) -> Int? {
        values[name.lowercased()].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    private func first(_ names: String...) -> Int? {
        for name in names { if let value = integer(name) { return value } }
        return nil
    }

    /// Tokens allowed per minute.
    public var tokensPerMinuteLimit: Int? {
        first("x-ratelimit-limit-tokens-minute", "x-ratelimitbysize-limit-minute", "ratelimitbysize-limit")
    }
    /// Tokens left this minute.
    public var tokensPerMinuteRemaining: Int? {
        first("x-ratelimit-remaining-tokens-minute", "x-ratelimitbysize-remaining-minute", "ratelimitbysize-remaining")
    }
    /// Tokens allowed per month.
    public var tokensPerMonthLimit: Int? { first("x-ratelimit-limit-tokens-month", "x-ratelimitbysize-limit-month") }
    /// Tokens left this month; `0` means a 429 is a spent quota, not a burst.
    public var tokensPerMonthRemaining: Int? {
        first("x-ratelimit-remaining-tokens-month", "x-ratelimitbysize-remaining-month")
    }
    /// Requests allowed per minute.
    public var requestsPerMinuteLimit: Int? { first("x-ratelimit-limit-req-minute") }
    /// Requests left this minute.
    public var requestsPerMinuteRemaining: Int? { first("x-ratelimit-remaining-req-minute") }
    /// Seconds until the token window resets (legacy `ratelimitbysize-reset`).
    public var resetSeconds: Int? { first("ratelimitbysize-reset", "x-ratelimit-reset") }
    /// Tokens this request was charged.
    public var queryCost: Int? { first("x-ratelimit-tokens-query-cost", "ratelimitbysize-query-cost") }
}
