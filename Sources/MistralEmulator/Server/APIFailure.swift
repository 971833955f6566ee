import MistralKit

/// A request the emulator refuses: the status, headers and Mistral-shaped body to answer with.
///
/// Endpoint code throws these; ``EmulatorMiddleware`` turns them into responses, so every error
/// answer carries the same common headers as a success.
struct APIFailure: Error, Sendable {
    var status: Int
    var body: JSONValue
    var headers: [(String, String)] = []

    /// Mistral's documented envelope: `{object:"error", message, type, param, code}`; `code` is
    /// a numeric string or null.
    static func envelope(
        status: Int, message: String, type: String, code: String? = nil, extra: [String: JSONValue] = [:]
    ) -> APIFailure {
        var members: [String: JSONValue] = [
            "object": "error", "message": .string(message), "type": .string(type), "param": .null,
            "code": code.map { .string($0) } ?? .null,
        ]
        members.merge(extra) { $1 }
        return APIFailure(status: status, body: .object(members))
    }

    /// 422 listing every problem found in the body, in the configured shape: exactly the body
    /// MistralKit's validator renders, so the emulator and the gateway answer alike.
    static func validation(_ error: RequestValidationError, style: ValidationErrorStyle) -> APIFailure {
        APIFailure(status: RequestValidationError.status, body: error.body(style: style))
    }

    /// 400 for a model the emulator does not serve, or that cannot serve this endpoint.
    static func invalidModel(_ model: String) -> APIFailure {
        envelope(status: 400, message: "Invalid model: \(model)", type: "invalid_model", code: "1500")
    }

    /// 400 when the prompt plus `max_tokens` does not fit the model's context window.
    static func contextOverflow(promptTokens: Int, maxTokens: Int, contextLength: Int) -> APIFailure {
        envelope(
            status: 400,
            message: "Prompt contains \(promptTokens) tokens and max_tokens is \(maxTokens), "
                + "too large for model with \(contextLength) maximum context length",
            type: "invalid_request_error", code: "3051")
    }

    /// 400 for a malformed but schema-valid request.
    static func badRequest(_ message: String, type: String = "invalid_request_error", code: String? = nil) -> APIFailure {
        envelope(status: 400, message: message, type: type, code: code)
    }

    /// 401 as Mistral's gateway sends it: `{"message": "Unauthorized", "request_id": ...}`.
    static func unauthorized(requestID: String) -> APIFailure {
        APIFailure(status: 401, body: ["message": "Unauthorized", "request_id": .string(requestID)])
    }

    /// 429 with `Retry-After` in whole seconds.
    static func rateLimited(retryAfterSeconds: Int) -> APIFailure {
        var failure = envelope(
            status: 429, message: "Rate limit exceeded", type: "rate_limited", code: "1300", extra: ["raw_status_code": 429])
        failure.headers.append(("retry-after", String(retryAfterSeconds)))
        return failure
    }

    /// An injected failure status with the body Mistral would plausibly send for it.
    static func injected(status: Int, retryAfterSeconds: Int?) -> APIFailure {
        var failure: APIFailure
        switch status {
        case 429:
            failure = rateLimited(retryAfterSeconds: retryAfterSeconds ?? 1)
            failure.headers.removeAll()
        case 500...599:
            failure = envelope(status: status, message: reason(status), type: "server_error")
        default:
            failure = envelope(status: status, message: reason(status), type: "invalid_request_error")
        }
        if let retryAfterSeconds { failure.headers.append(("retry-after", String(retryAfterSeconds))) }
        return failure
    }

    /// FastAPI's answer for a path or method no route serves.
    static let routeNotFound = APIFailure(status: 404, body: ["detail": "Not Found"])

    /// 413 for a body over the configured limit.
    static func bodyTooLarge(limit: Int) -> APIFailure {
        envelope(status: 413, message: "Request body is larger than \(limit) bytes", type: "invalid_request_error")
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not found"
        case 408: "Request timeout"
        case 409: "Conflict"
        case 500: "Internal server error"
        case 502: "Bad gateway"
        case 503: "Service unavailable"
        case 504: "Gateway timeout"
        default: "Emulated failure (HTTP \(status))"
        }
    }
}
