import Foundation
import NIOHTTP1

/// Turns an error response (status, headers, body) into a ``MistralError``.
///
/// Reads every body shape Mistral is known to send: the `{object:"error", message, type, param,
/// code}` envelope (whose `message` may itself hold validation details, as an object or as JSON
/// text), FastAPI's `{detail:[{loc, msg, type}]}`, the gateway's `{message, request_id}` and
/// `{detail:"Unauthorized"}`, and non-JSON bodies, which are kept as a snippet.
public enum ErrorResponse {
    /// The longest body prefix kept in ``MistralError/bodySnippet``.
    public static let snippetLength = 512

    public static func error(status: Int, headers: HTTPHeaders, body: [UInt8], now: Date = Date()) -> MistralError {
        let parsed = parseBody(body)
        let rateLimit = RateLimitHeaders(headers: headers)
        let requestID = headers.first(name: "mistral-correlation-id") ?? headers.first(name: "x-request-id") ?? parsed.requestID
        var message = parsed.message ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        if message.isEmpty { message = "HTTP \(status)" }
        let kind = classify(status: status, message: message, type: parsed.type, rateLimit: rateLimit)
        return MistralError(
            kind: kind, message: message, status: status, type: parsed.type, code: parsed.code, param: parsed.param,
            validationErrors: parsed.issues, requestID: requestID,
            retryAfter: retryAfter(headers: headers, now: now), rateLimit: rateLimit,
            bodySnippet: parsed.understood ? nil : snippet(body))
    }

    /// The first ``snippetLength`` bytes of `body` as text.
    public static func snippet(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(snippetLength), as: UTF8.self)
    }

    static func classify(status: Int, message: String, type: String?, rateLimit: RateLimitHeaders?) -> MistralError.Kind {
        let lowered = message.lowercased()
        switch status {
        case 400:
            let overflow = ["context", "too many tokens", "too long", "maximum length", "exceeds the model"]
            return overflow.contains(where: lowered.contains) ? .contextOverflow : .badRequest
        case 401: return .authentication
        case 403: return .permissionDenied
        case 404: return .notFound
        case 422: return .validation
        case 429:
            if rateLimit?.tokensPerMonthRemaining == 0 { return .quotaExhausted }
            let quotaWords = ["month", "quota", "spend", "budget", "billing", "credit", "exhausted", "usage limit", "capacity limit"]
            return quotaWords.contains(where: lowered.contains) ? .quotaExhausted : .rateLimited
        case 500...599: return .server
        default: return .unexpectedStatus
        }
    }

    /// `Retry-After` (seconds or an HTTP date) or `retry-after-ms`; `nil` when absent or unreadable.
    public static func retryAfter(headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let ms = headers.first(name: "retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return .milliseconds(ms)
        }
        guard let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(seconds * 1000) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, date.timeIntervalSince(now)) * 1000)
    }

    struct ParsedBody {
        var message: String?
        var type: String?
        var code: String?
        var param: String?
        var requestID: String?
        var issues: [ValidationIssue] = []
        var understood = false
    }

    static func parseBody(_ body: [UInt8]) -> ParsedBody {
        var parsed = ParsedBody()
        guard let json = try? JSONCoding.decode(JSONValue.self, from: body), let object = json.objectValue else {
            return parsed
        }
        parsed.type = object["type"]?.stringValue
        parsed.code = scalarText(object["code"])
        parsed.param = scalarText(object["param"])
        parsed.requestID = object["request_id"]?.stringValue
        switch object["message"] {
        case .string(let text):
            // A proxied 422 carries the FastAPI body as JSON text inside `message`.
            if let inner = try? JSONCoding.decode(JSONValue.self, from: Array(text.utf8)), let detail = inner["detail"] {
                parsed.issues = issues(detail)
            } else {
                parsed.message = text
            }
        case .object(let members):
            if let detail = members["detail"] { parsed.issues = issues(detail) }
            parsed.message = members["message"]?.stringValue
        default:
            break
        }
        if let detail = object["detail"] {
            if let text = detail.stringValue {
                parsed.message = parsed.message ?? text
            } else {
                parsed.issues += issues(detail)
            }
        }
        if parsed.message == nil, !parsed.issues.isEmpty {
            parsed.message = parsed.issues.count == 1
                ? "Invalid request: \(parsed.issues[0])"
                : "Invalid request: \(parsed.issues.count) problems"
        }
        if parsed.message == nil, let error = object["error"] {
            // OpenAI-compatible servers (llama.cpp, vLLM) nest the envelope under `error`.
            parsed.message = error["message"]?.stringValue ?? error.stringValue
            parsed.type = parsed.type ?? error["type"]?.stringValue
            parsed.code = parsed.code ?? scalarText(error["code"])
        }
        parsed.understood = parsed.message != nil || !parsed.issues.isEmpty
        return parsed
    }

    private static func scalarText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        default: nil
        }
    }

    private static func issues(_ detail: JSONValue) -> [ValidationIssue] {
        guard let items = detail.arrayValue else { return [] }
        return items.compactMap { item in
            guard let object = item.objectValue else { return nil }
            let location = (object["loc"]?.arrayValue ?? []).map { part -> String in
                switch part {
                case .int(let index): String(index)
                default: part.stringValue ?? part.jsonString
                }
            }
            let message: String =
                switch object["msg"] {
                case .string(let text): text
                case .array(let parts): parts.map { $0.stringValue ?? $0.jsonString }.joined(separator: "; ")
                case let other?: other.jsonString
                case nil: "invalid"
                }
            return ValidationIssue(location: location, message: message, type: object["type"]?.stringValue ?? "value_error")
        }
    }
}
