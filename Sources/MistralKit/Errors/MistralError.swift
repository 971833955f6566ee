/// Every failure of a Mistral call, with what a caller needs to act on it.
///
/// Tell failures apart with ``kind`` (`error.kind == .rateLimited`); new kinds can be added
/// without breaking callers. ``description`` is one sentence a person can act on.
public struct MistralError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable and extensible set of kinds.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: String, Sendable {
            case badRequest = "bad request"
            case contextOverflow = "context overflow"
            case authentication = "authentication failed"
            case permissionDenied = "permission denied"
            case notFound = "not found"
            case validation = "validation failed"
            case rateLimited = "rate limited"
            case quotaExhausted = "quota exhausted"
            case server = "server error"
            case unexpectedStatus = "unexpected status"
            case timeout = "timed out"
            case connection = "connection failed"
            case cancelled = "cancelled"
            case truncatedStream = "stream truncated"
            case streamError = "stream error"
            case undecodableResponse = "undecodable response"
            case invalidRequest = "invalid request"
            case configuration = "configuration"
            case rateLimitWait = "client rate limit"
            case circuitOpen = "circuit open"
            case budgetExceeded = "budget exceeded"
        }
        fileprivate let code: Code

        /// 400: the body is malformed or not allowed (message order, content, ...).
        public static let badRequest = Kind(code: .badRequest)
        /// 400 (or client-side check): prompt plus `max_tokens` exceed the model's context.
        public static let contextOverflow = Kind(code: .contextOverflow)
        /// 401: missing or invalid API key.
        public static let authentication = Kind(code: .authentication)
        /// 403: the key may not use this model or endpoint, or a guardrail blocked the request.
        public static let permissionDenied = Kind(code: .permissionDenied)
        /// 404: unknown model, file or other resource.
        public static let notFound = Kind(code: .notFound)
        /// 422: the body failed schema validation; see ``MistralError/validationErrors``.
        public static let validation = Kind(code: .validation)
        /// 429 that waiting fixes; see ``MistralError/retryAfter`` and ``MistralError/rateLimit``.
        public static let rateLimited = Kind(code: .rateLimited)
        /// 429 for a monthly, spend or token-quota cap: retrying will not help until it resets.
        public static let quotaExhausted = Kind(code: .quotaExhausted)
        /// 5xx: the service failed; usually worth a retry.
        public static let server = Kind(code: .server)
        /// A status outside the cases above (e.g. 409, 3xx).
        public static let unexpectedStatus = Kind(code: .unexpectedStatus)
        /// The connect, idle-read or total deadline passed.
        public static let timeout = Kind(code: .timeout)
        /// No connection, or it broke before a complete response.
        public static let connection = Kind(code: .connection)
        /// The calling task was cancelled.
        public static let cancelled = Kind(code: .cancelled)
        /// A stream ended (or sent `[DONE]`) before every choice had a finish reason; ``MistralError/partial`` holds what arrived.
        public static let truncatedStream = Kind(code: .truncatedStream)
        /// The server reported an error inside a stream (an error event or `finish_reason: error`).
        public static let streamError = Kind(code: .streamError)
        /// A 2xx body that is not the expected JSON; ``MistralError/bodySnippet`` shows it.
        public static let undecodableResponse = Kind(code: .undecodableResponse)
        /// The request was refused before sending (e.g. it could not be encoded).
        public static let invalidRequest = Kind(code: .invalidRequest)
        /// The client is misconfigured (no API key, bad base URL).
        public static let configuration = Kind(code: .configuration)
        /// The client's own rate limiter would hold the call past its deadline; nothing was sent.
        public static let rateLimitWait = Kind(code: .rateLimitWait)
        /// The circuit breaker for this upstream and model is open after repeated failures;
        /// nothing was sent. ``MistralError/retryAfter`` says when a probe will be let through.
        public static let circuitOpen = Kind(code: .circuitOpen)
        /// The call would cross a hard spending limit; nothing was sent.
        public static let budgetExceeded = Kind(code: .budgetExceeded)

        public var description: String { code.rawValue }
    }

    public var kind: Kind
    /// A readable message: Mistral's own when it sent one.
    public var message: String
    /// HTTP status, when a response arrived.
    public var status: Int?
    /// Mistral's error `type` (e.g. `invalid_request_error`, `rate_limited`).
    public var type: String?
    /// Mistral's error `code`, a numeric string (e.g. `"3230"`, `"1300"`).
    public var code: String?
    /// The parameter the error concerns, when Mistral names one.
    public var param: String?
    /// The 422 validation details: location, message and type of each problem.
    public var validationErrors: [ValidationIssue]
    /// `mistral-correlation-id` (or the body's `request_id`): quote it to Mistral support.
    public var requestID: String?
    /// How long the server asked us to wait (`Retry-After`, `retry-after-ms`).
    public var retryAfter: Duration?
    /// Every rate-limit header of the response.
    public var rateLimit: RateLimitHeaders?
    /// The start of the response body, for bodies that could not be understood.
    public var bodySnippet: String?
    /// For a cut or failed stream: everything received before it ended.
    public var partial: ChatCompletionResponse?
    /// The lower-level error (transport, decoding), if any.
    public var underlying: (any Error)?

    public init(
        kind: Kind, message: String, status: Int? = nil, type: String? = nil, code: String? = nil,
        param: String? = nil, validationErrors: [ValidationIssue] = [], requestID: String? = nil,
        retryAfter: Duration? = nil, rateLimit: RateLimitHeaders? = nil, bodySnippet: String? = nil,
        partial: ChatCompletionResponse? = nil, underlying: (any Error)? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.validationErrors = validationErrors
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.rateLimit = rateLimit
        self.bodySnippet = bodySnippet
        self.partial = partial
        self.underlying = underlying
    }

    /// True for failures a later identical request may not hit: 429 rate limits, 5xx, timeouts
    /// and connection failures. Never true for a spent quota or a 4xx that the request caused.
    public var isTransient: Bool {
        [.rateLimited, .server, .timeout, .connection].contains(kind)
    }

    public var description: String {
        var text = kind.description.prefix(1).uppercased() + kind.description.dropFirst()
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        var details: [String] = []
        if let type { details.append("type \(type)") }
        if let code { details.append("code \(code)") }
        if !details.isEmpty { text += " [\(details.joined(separator: ", "))]" }
        if !validationErrors.isEmpty {
            text += " — " + validationErrors.map(\.description).joined(separator: "; ")
        }
        if let retryAfter { text += " Retry after \(retryAfter.formattedSeconds)." }
        if let hint = hint { text += " \(hint)" }
        if let requestID { text += " (request id \(requestID))" }
        return text
    }

    /// What the user can do about it.
    public var hint: String? {
        switch kind {
        case .authentication: "Check the API key (--api-key or MISTRAL_API_KEY)."
        case .permissionDenied: "Check that your plan and workspace may use this model or endpoint."
        case .quotaExhausted: "Your monthly or spend limit is reached; raise it in the Mistral console or wait for the reset."
        case .rateLimited: retryAfter == nil ? "Slow down and retry later." : nil
        case .contextOverflow: "Shorten the conversation or lower max_tokens."
        case .connection: "Check the base URL and your network."
        case .timeout: "The server did not answer in time; retry, or raise the timeout."
        case .truncatedStream: "The answer was cut before it finished; what arrived is kept in the error."
        case .rateLimitWait: "Raise the call's deadline, lower the offered load, or raise the client's rate limits."
        case .circuitOpen: "The upstream failed repeatedly; calls resume after a successful probe."
        case .budgetExceeded: "Raise the budget's hard limit or wait for the next period."
        default: nil
        }
    }
}

/// One problem in a 422 validation answer.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Where: e.g. `["body", "messages", 0, "content"]`, rendered as strings.
    public var location: [String]
    /// The answer message.
    public var message: String
    /// e.g. `extra_forbidden`, `missing`, `float_type`.
    public var type: String

    public init(location: [String], message: String, type: String) {
        self.location = location
        self.message = message
        self.type = type
    }

    public var description: String {
        "\(location.joined(separator: ".")): \(message) (\(type))"
    }
}

extension Duration {
    var formattedSeconds: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.3f s", seconds)
    }

    /// The duration in seconds, as a Double.
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
