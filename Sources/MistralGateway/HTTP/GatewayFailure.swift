import Foundation
import MistralKit

/// An answer the gateway gives instead of the upstream's: a status, a Mistral-shaped body and
/// whether the gateway itself or the upstream made it.
///
/// Callers tell the two apart by the `x-mistralkit-error-source` header (`gateway` or
/// `upstream`) and, for the gateway's own errors, an error `type` starting with `gateway_`.
/// Refusals where waiting helps carry `Retry-After`.
struct GatewayFailure: Error, Sendable {
    enum Source: String, Sendable {
        case gateway, upstream
    }

    var status: Int
    var body: JSONValue
    var source: Source
    var retryAfter: Duration?
    /// What the ledger and the metrics record as the request's outcome.
    var outcome: String

    /// The body's message (a 422's first detail), for an error event.
    var message: String {
        body["message"]?.stringValue ?? body["detail"]?[0]?["msg"]?.stringValue ?? "The request failed."
    }

    /// Mistral's error envelope: `{object: "error", message, type, param, code}`.
    static func envelope(
        status: Int, message: String, type: String, code: String? = nil, source: Source = .gateway, retryAfter: Duration? = nil,
        outcome: String
    ) -> GatewayFailure {
        GatewayFailure(
            status: status,
            body: ["object": "error", "message": .string(message), "type": .string(type), "param": nil, "code": code.map { .string($0) } ?? nil],
            source: source, retryAfter: retryAfter, outcome: outcome)
    }

    static func unauthorized(_ message: String) -> GatewayFailure {
        envelope(status: 401, message: message, type: "gateway_unauthorized", outcome: "unauthorized")
    }

    static func forbidden(_ message: String) -> GatewayFailure {
        envelope(status: 403, message: message, type: "gateway_forbidden", outcome: "forbidden")
    }

    static func keyLimit(_ message: String, retryAfter: Duration?, code: String) -> GatewayFailure {
        envelope(
            status: 429, message: message, type: "gateway_rate_limited", code: code, retryAfter: retryAfter ?? .seconds(1),
            outcome: "key limit")
    }

    static func budget(_ period: Budget.Period, _ message: String) -> GatewayFailure {
        envelope(status: 429, message: message, type: "gateway_budget_exceeded", code: period.rawValue, outcome: "budget exceeded")
    }

    static func modelNotAllowed(_ model: String) -> GatewayFailure {
        envelope(status: 403, message: "This key may not use the model '\(model)'.", type: "gateway_model_not_allowed", outcome: "model not allowed")
    }

    static func bodyTooLarge(limit: Int) -> GatewayFailure {
        envelope(status: 413, message: "The request body is larger than \(limit) bytes.", type: "gateway_body_too_large", outcome: "body too large")
    }

    /// The ledger's backlog is full: the database has refused its rows for a while, and the
    /// gateway serves nothing it could not bill.
    static let ledgerFull = envelope(
        status: 503, message: "The gateway cannot write its usage ledger to its database; try again shortly.",
        type: "gateway_storage_unavailable", code: "ledger", retryAfter: .seconds(1), outcome: "storage")

    static func badRequest(_ message: String) -> GatewayFailure {
        envelope(status: 400, message: message, type: "invalid_request_error", outcome: "bad request")
    }

    /// A 422 with FastAPI's `detail` list, as Mistral validates.
    static func validation(_ body: JSONValue) -> GatewayFailure {
        GatewayFailure(status: 422, body: body, source: .gateway, retryAfter: nil, outcome: "validation")
    }

    /// The answer for a failed relay: the upstream's own error when it answered with one,
    /// else the gateway's account of what went wrong.
    static func relay(_ error: MistralError) -> GatewayFailure {
        if let status = error.status, error.kind != .undecodableResponse {
            // The upstream refused or failed: its status, type, code and message, passed on.
            var members: [String: JSONValue] = [
                "object": "error", "message": .string(error.message), "type": .string(error.type ?? "upstream_error"),
                "param": error.param.map { .string($0) } ?? nil, "code": error.code.map { .string($0) } ?? nil,
            ]
            if !error.validationErrors.isEmpty {
                members = ["detail": .array(error.validationErrors.map { issue in
                    ["loc": .array(issue.location.map { .string($0) }), "msg": .string(issue.message), "type": .string(issue.type)]
                })]
            }
            return GatewayFailure(status: status, body: .object(members), source: .upstream, retryAfter: error.retryAfter, outcome: error.kind.description)
        }
        let outcome = error.kind.description
        switch error.kind {
        case .rateLimitWait:
            return envelope(status: 429, message: error.message, type: "gateway_queue_full", code: "queue", retryAfter: error.retryAfter, outcome: outcome)
        case .circuitOpen:
            return envelope(status: 503, message: error.message, type: "gateway_upstream_unavailable", retryAfter: error.retryAfter ?? .seconds(5), outcome: outcome)
        case .timeout:
            return envelope(status: 504, message: error.message, type: "gateway_upstream_timeout", outcome: outcome)
        case .contextOverflow, .invalidRequest:
            return envelope(status: 400, message: error.message, type: "invalid_request_error", outcome: outcome)
        case .budgetExceeded:
            return envelope(status: 429, message: error.message, type: "gateway_budget_exceeded", outcome: outcome)
        case .cancelled:
            return envelope(status: 499, message: error.message, type: "gateway_cancelled", outcome: outcome)
        default:
            return envelope(status: 502, message: error.message, type: "gateway_upstream_error", outcome: outcome)
        }
    }

    /// `Retry-After` in whole seconds, rounded up (at least 1).
    var retryAfterSeconds: Int? {
        retryAfter.map { max(1, Int($0.secondsDouble.rounded(.up))) }
    }
}
