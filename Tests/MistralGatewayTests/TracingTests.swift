import Foundation
import InMemoryTracing
import MistralEmulator
import MistralGateway
import MistralKit
import MistralTestSupport
import Testing
import Tracing

/// When the gateway traces, each request is a server span that continues the caller's trace,
/// and the upstream call's span is its child.
struct TracingTests {
    static let chatBody = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"max_tokens":20}"#

    @Test func eachRequestIsAServerSpanContinuingTheCallersTraceWithTheUpstreamCallInside() async throws {
        let tracer = InMemoryTracer()
        try await withEmulator { emulatorURL, _ in
            try await withGateway(upstream: emulatorURL, configure: { $0.upstream.tracer = tracer }) { world in
                let response = try await sendRaw(
                    "POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: world.secret(),
                    headers: [(InMemoryTracer.traceIDKey, "trace-from-caller"), (InMemoryTracer.spanIDKey, "span-from-caller")])
                #expect(response.status == 200)
                let refused = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: "wrong")
                #expect(refused.status == 401)
                let spans = tracer.finishedSpans
                let servers = spans.filter { $0.kind == .server }
                #expect(servers.count == 2)
                let server = try #require(servers.first { $0.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(200) })
                #expect(server.operationName == "POST /v1/chat/completions")
                #expect(server.attributes["mistralkit.request_id"]?.toSpanAttribute() == .string(response.header("x-request-id") ?? "-"))
                #expect(server.context.inMemorySpanContext?.traceID == "trace-from-caller")
                #expect(server.context.inMemorySpanContext?.parentSpanID == "span-from-caller")
                let call = try #require(spans.first { $0.kind == .client && $0.operationName.hasPrefix("chat") })
                #expect(call.context.inMemorySpanContext?.parentSpanID == server.context.inMemorySpanContext?.spanID)
                let unauthorized = try #require(servers.first { $0.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(401) })
                #expect(unauthorized.attributes["mistralkit.error_source"]?.toSpanAttribute() == .string("gateway"))
            }
        }
    }
}
