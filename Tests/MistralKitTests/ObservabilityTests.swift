import InMemoryTracing
import MetricsTestKit
import MistralTestSupport
import NIOHTTP1
import Synchronization
import Testing
import Tracing

@testable import MistralKit

@Suite("Metrics, tracing and hooks")
struct ObservabilityTests {
    @Test func metricsCountRequestsRetriesErrorsTokensAndCost() async throws {
        let metrics = TestMetrics()
        let transport = ScriptedTransport { _, index in index == 0 ? Canned.error(429) : Canned.json() }
        let client = scriptedClient(transport) {
            $0.metricsFactory = metrics
            $0.clock = ImmediateClock()
        }
        _ = try await client.chat(hello)
        let ok = try metrics.expectCounter("mistral_requests_total", [("operation", "chat"), ("model", "mistral-small-latest"), ("outcome", "ok")])
        #expect(ok.totalValue == 1)
        #expect(try metrics.expectCounter("mistral_retries_total", [("operation", "chat"), ("reason", "rate limited")]).totalValue == 1)
        #expect(try metrics.expectCounter("mistral_rate_limited_total", [("operation", "chat"), ("model", "mistral-small-latest")]).totalValue == 1)
        #expect(try metrics.expectCounter("mistral_tokens_total", [("model", "mistral-small-latest"), ("type", "prompt")]).totalValue == 5)
        #expect(try metrics.expectCounter("mistral_tokens_total", [("model", "mistral-small-latest"), ("type", "completion")]).totalValue == 5)
        let duration = try metrics.expectTimer("mistral_request_duration_seconds", [("operation", "chat"), ("model", "mistral-small-latest")])
        #expect(duration.values.count == 1)
        // 5 × $0.15 + 5 × $0.60 per million = 3.75 micro-dollars, rounded.
        #expect(try metrics.expectCounter("mistral_cost_microusd_total", [("model", "mistral-small-latest")]).totalValue == 4)

        let failing = scriptedClient(ScriptedTransport { _, _ in Canned.error(500) }) {
            $0.metricsFactory = metrics
            $0.retry = .disabled
        }
        _ = try? await failing.chat(hello)
        #expect(try metrics.expectCounter("mistral_errors_total", [("operation", "chat"), ("kind", "server error")]).totalValue == 1)
    }

    @Test func aStreamReportsTimeToFirstToken() async throws {
        let metrics = TestMetrics()
        let transport = ScriptedTransport { _, _ in Canned.stream([Canned.chunk("Hi", finish: "stop", usage: true), "[DONE]"]) }
        let client = scriptedClient(transport) { $0.metricsFactory = metrics }
        _ = try await client.chatStream(hello).collect()
        #expect(try metrics.expectTimer("mistral_time_to_first_token_seconds", [("operation", "chat.stream"), ("model", "mistral-small-latest")]).values.count == 1)
    }

    @Test func spansCarryGenAIAttributesWithAChildPerAttempt() async throws {
        let tracer = InMemoryTracer()
        let transport = ScriptedTransport { _, index in index == 0 ? Canned.error(503) : Canned.json() }
        let client = scriptedClient(transport) {
            $0.tracer = tracer
            $0.clock = ImmediateClock()
            $0.jitter = .fixed(0)
        }
        _ = try await client.chat(ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("Hi")], temperature: 0.3, maxTokens: 50))
        let spans = tracer.finishedSpans
        let call = try #require(spans.first { $0.operationName == "chat mistral-small-latest" })
        #expect(call.kind == .client)
        #expect(call.attributes[GenAIAttributes.operationName]?.toSpanAttribute() == .string("chat"))
        #expect(call.attributes[GenAIAttributes.providerName]?.toSpanAttribute() == .string("mistral_ai"))
        #expect(call.attributes[GenAIAttributes.requestModel]?.toSpanAttribute() == .string("mistral-small-latest"))
        #expect(call.attributes[GenAIAttributes.requestMaxTokens]?.toSpanAttribute() == .int64(50))
        #expect(call.attributes[GenAIAttributes.usageInputTokens]?.toSpanAttribute() == .int64(5))
        #expect(call.attributes[GenAIAttributes.usageOutputTokens]?.toSpanAttribute() == .int64(5))
        #expect(call.attributes[GenAIAttributes.serverAddress]?.toSpanAttribute() == .string("api.mistral.ai"))
        let attempts = spans.filter { $0.operationName.hasPrefix("attempt") }
        #expect(attempts.map(\.operationName).sorted() == ["attempt 1", "attempt 2"])
        #expect(attempts.first { $0.operationName == "attempt 1" }?.attributes[GenAIAttributes.httpStatusCode]?.toSpanAttribute() == .int64(503))
        #expect(attempts.allSatisfy { $0.context.inMemorySpanContext?.parentSpanID == call.context.inMemorySpanContext?.spanID })
        #expect(!tracer.performedContextInjections.isEmpty)
    }

    @Test func aFailedCallsSpanRecordsTheError() async throws {
        let tracer = InMemoryTracer()
        let client = scriptedClient(ScriptedTransport { _, _ in Canned.error(500) }) {
            $0.tracer = tracer
            $0.retry = .disabled
        }
        _ = try? await client.chat(hello)
        let call = try #require(tracer.finishedSpans.first { $0.operationName.hasPrefix("chat") })
        #expect(call.status?.code == .error)
        #expect(call.errors.count == 1)
        #expect(call.attributes[GenAIAttributes.errorType]?.toSpanAttribute() == .string("server error"))
    }

    final class RecordingHook: MistralHook {
        let events = Mutex<[String]>([])
        func beforeRequest(_ request: inout HTTPRequestDescription, context: HookContext) async throws {
            request.headers.add(name: "x-tenant", value: "acme")
            events.withLock { $0.append("before \(context.operation) #\(context.attempt)") }
        }
        func afterResponse(status: Int, headers: HTTPHeaders, context: HookContext) async {
            events.withLock { $0.append("after \(status)") }
        }
        func onError(_ error: MistralError, context: HookContext) async {
            events.withLock { $0.append("error \(error.status ?? 0)") }
        }
    }

    @Test func hooksSeeEveryAttemptAndMayChangeTheRequest() async throws {
        let hook = RecordingHook()
        let transport = ScriptedTransport { _, index in index == 0 ? Canned.error(502) : Canned.json() }
        let client = scriptedClient(transport) {
            $0.hooks = [hook]
            $0.clock = ImmediateClock()
        }
        _ = try await client.chat(hello)
        #expect(hook.events.withLock { $0 } == ["before chat #1", "error 502", "before chat #2", "after 200"])
        #expect(transport.sent.withLock { $0.allSatisfy { $0.headers.first(name: "x-tenant") == "acme" } })
    }

    struct VetoHook: MistralHook {
        struct Refused: Error {}
        func beforeRequest(_ request: inout HTTPRequestDescription, context: HookContext) async throws { throw Refused() }
    }

    @Test func aHookCanRefuseACall() async throws {
        let transport = ScriptedTransport { _, _ in Canned.json() }
        let client = scriptedClient(transport) { $0.hooks = [VetoHook()] }
        let error = await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(error?.kind == .invalidRequest)
        #expect(transport.count == 0)
    }
}
