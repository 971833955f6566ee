import Foundation
import NIOHTTP1
import Testing

@testable import MistralKit

struct ErrorResponseTests {
    func error(_ status: Int, _ body: String, headers: [(String, String)] = []) -> MistralError {
        ErrorResponse.error(status: status, headers: HTTPHeaders(headers), body: Array(body.utf8))
    }

    @Test func documentedEnvelope() {
        let e = error(400, #"{"object":"error","message":"Unexpected role 'user' after role 'tool'","type":"invalid_request_message_order","param":null,"code":"3230"}"#,
            headers: [("mistral-correlation-id", "corr-1")])
        #expect(e.kind == .badRequest)
        #expect(e.message == "Unexpected role 'user' after role 'tool'")
        #expect(e.type == "invalid_request_message_order" && e.code == "3230" && e.requestID == "corr-1")
        #expect(e.description.contains("HTTP 400") && e.description.contains("code 3230") && e.description.contains("corr-1"))
    }

    @Test func fastAPIValidation() {
        let e = error(422, #"{"detail":[{"type":"extra_forbidden","loc":["body","store"],"msg":"Extra inputs are not permitted","input":true},{"type":"float_parsing","loc":["body","messages",0,"temperature"],"msg":["a","b"]}]}"#)
        #expect(e.kind == .validation)
        #expect(e.validationErrors == [
            ValidationIssue(location: ["body", "store"], message: "Extra inputs are not permitted", type: "extra_forbidden"),
            ValidationIssue(location: ["body", "messages", "0", "temperature"], message: "a; b", type: "float_parsing"),
        ])
        #expect(e.description.contains("body.store: Extra inputs are not permitted (extra_forbidden)"))
    }

    @Test func proxiedValidationAsObjectAndAsJSONText() {
        let object = error(422, #"{"object":"error","message":{"detail":[{"type":"missing","loc":["body","model"],"msg":"Field required"}]},"type":"internal_error_proxy","param":null,"code":"1000"}"#)
        #expect(object.validationErrors.map(\.type) == ["missing"])
        #expect(object.code == "1000")
        let text = error(422, #"{"object":"error","message":"{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"model\"],\"msg\":\"Field required\"}]}","type":"internal_error_proxy","param":null,"code":1000}"#)
        #expect(text.validationErrors.map(\.location) == [["body", "model"]])
        #expect(text.code == "1000")
        #expect(text.message.contains("Field required"))
    }

    @Test(arguments: [
        #"{"message":"Unauthorized","request_id":"req-9"}"#,
        #"{"detail":"Unauthorized"}"#,
    ])
    func gatewayUnauthorized(body: String) {
        let e = error(401, body)
        #expect(e.kind == .authentication)
        #expect(e.message == "Unauthorized")
        #expect(e.bodySnippet == nil)
        #expect(e.hint?.contains("MISTRAL_API_KEY") == true)
    }

    @Test func rateLimitWithHeaders() {
        let e = error(429, #"{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300","raw_status_code":429}"#,
            headers: [("Retry-After", "2"), ("x-ratelimit-limit-tokens-minute", "500000"), ("x-ratelimit-remaining-tokens-minute", "0"),
                      ("x-ratelimit-remaining-tokens-month", "999"), ("ratelimitbysize-reset", "17")])
        #expect(e.kind == .rateLimited && e.isTransient)
        #expect(e.retryAfter == .seconds(2))
        #expect(e.rateLimit?.tokensPerMinuteLimit == 500_000)
        #expect(e.rateLimit?.tokensPerMinuteRemaining == 0)
        #expect(e.rateLimit?.resetSeconds == 17)
    }

    @Test func oldRateLimitBody() {
        let e = error(429, #"{"message":"Requests rate limit exceeded"}"#, headers: [("x-ratelimitbysize-limit-minute", "500000")])
        #expect(e.kind == .rateLimited)
        #expect(e.rateLimit?.tokensPerMinuteLimit == 500_000)
    }

    @Test func spentQuotaIsNotTransient() {
        let byMessage = error(429, #"{"object":"error","message":"You have exceeded your monthly spend limit","type":"rate_limited","code":"1300"}"#)
        #expect(byMessage.kind == .quotaExhausted && !byMessage.isTransient)
        let byHeader = error(429, #"{"message":"Rate limit exceeded"}"#, headers: [("x-ratelimit-remaining-tokens-month", "0")])
        #expect(byHeader.kind == .quotaExhausted)
    }

    @Test func contextOverflowIsItsOwnKind() {
        let e = error(400, #"{"object":"error","message":"Prompt contains 40000 tokens and max_tokens is 100, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":"3051"}"#)
        #expect(e.kind == .contextOverflow)
    }

    @Test func nonJSONBodiesKeepASnippet() {
        let html = "<html><body>502 Bad Gateway</body></html>" + String(repeating: "x", count: 2000)
        let e = error(502, html)
        #expect(e.kind == .server && e.isTransient)
        #expect(e.message == "Bad Gateway")
        #expect(e.bodySnippet?.hasPrefix("<html>") == true)
        #expect(e.bodySnippet?.utf8.count == ErrorResponse.snippetLength)
    }

    @Test func openAIStyleNestedError() {
        let e = error(404, #"{"error":{"message":"model not found","type":"invalid_request_error","code":"model_not_found"}}"#)
        #expect(e.kind == .notFound && e.message == "model not found" && e.code == "model_not_found")
    }

    @Test func retryAfterForms() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(ErrorResponse.retryAfter(headers: ["retry-after-ms": "1500"]) == .milliseconds(1500))
        #expect(ErrorResponse.retryAfter(headers: ["Retry-After": "0.5"]) == .milliseconds(500))
        let date = "Tue, 14 Nov 2023 22:13:30 GMT"  // now + 10 s
        #expect(ErrorResponse.retryAfter(headers: ["Retry-After": date], now: now) == .seconds(10))
        #expect(ErrorResponse.retryAfter(headers: ["Retry-After": "soon"]) == nil)
        #expect(ErrorResponse.retryAfter(headers: [:]) == nil)
    }

    @Test(arguments: [(403, MistralError.Kind.permissionDenied), (404, .notFound), (409, .unexpectedStatus), (500, .server), (504, .server)])
    func statusKinds(status: Int, kind: MistralError.Kind) {
        #expect(error(status, "").kind == kind)
    }
}
