/// The limits the emulator enforces for the whole instance (Mistral counts per organisation).
///
/// Requests beyond a limit get 429 `{"object":"error","message":"Rate limit exceeded","type":
/// "rate_limited","param":null,"code":"1300","raw_status_code":429}` with `Retry-After` in whole
/// seconds. When any limit is set, every response carries the `x-ratelimit-*` headers of
/// Mistral's current family.
public struct EmulatorRateLimits: Sendable, Hashable {
    /// Requests per second: a token bucket holding up to `max(1, requestsPerSecond)` requests,
    /// refilled continuously. `nil` means unlimited.
    public var requestsPerSecond: Double?
    /// Tokens (prompt plus completion) per fixed one-minute window, counted from the emulator's
    /// start on its clock. A request is admitted while the window's spent tokens plus its prompt
    /// tokens fit; it is then charged its prompt and completion tokens. `nil` means unlimited.
    public var tokensPerMinute: Int?

    /// Limits; `nil` leaves that dimension unlimited.
    public init(requestsPerSecond: Double? = nil, tokensPerMinute: Int? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.tokensPerMinute = tokensPerMinute
    }

    /// No limits (the default).
    public static let unlimited = EmulatorRateLimits()

    /// Whether any limit is set.
    public var isLimited: Bool { requestsPerSecond != nil || tokensPerMinute != nil }
}
