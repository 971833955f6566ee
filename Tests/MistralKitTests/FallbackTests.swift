import MistralTestSupport
import Testing

@testable import MistralKit

@Suite("Fallbacks")
struct FallbackTests {
    @Test func aFailingModelFallsBackToTheNextAndItIsRecorded() async throws {
        let ledger = InMemoryUsageLedger()
        let transport = ScriptedTransport { request, _ in
            let body = try JSONCoding.decode(JSONValue.self, from: request.body ?? [])
            return body["model"] == "mistral-large-latest" ? Canned.error(503) : Canned.json(200, Canned.chatBody(model: "mistral-small-2603"))
        }
        let client = scriptedClient(transport) {
            $0.retry = .disabled
            $0.fallbacks = [.model("mistral-small-latest")]
            $0.usageLedger = ledger
        }
        let response = try await client.chat(ChatCompletionRequest(model: "mistral-large-latest", messages: [.user("Hi")]))
        let answeredBy = try #require(response.answeredBy)
        #expect(answeredBy.isFallback)
        #expect(answeredBy.model == "mistral-small-latest")
        #expect(answeredBy.upstream == "mistral")
        #expect(answeredBy.skipped == ["mistral/mistral-large-latest: server error"])
        #expect(transport.bodies.map { $0["model"] } == ["mistral-large-latest", "mistral-small-latest"])
        #expect(ledger.records().map(\.model) == ["mistral-small-2603"])
    }

    @Test func requestErrorsDoNotFallBack() async throws {
        let transport = ScriptedTransport { _, _ in
            Canned.json(422, #"{"detail":[{"loc":["body","messages"],"msg":"Field required","type":"missing"}]}"#)
        }
        let client = scriptedClient(transport) { $0.fallbacks = [.model("mistral-small-latest")] }
        let error = await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(error?.kind == .validation)
        #expect(transport.count == 1)
    }

    @Test func anOpenAICompatibleProviderGetsAMappedRequest() async throws {
        let local = Upstream.openAICompatible(name: "local-llama", baseURL: "http://127.0.0.1:8080/v1")
        let transport = ScriptedTransport { request, _ in
            request.url.hasPrefix("http://127.0.0.1:8080")
                ? Canned.json(
                    200,
                    #"{"id":"x","object":"chat.completion","created":1,"model":"smollm2","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"function_call"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":4}}}"#)
                : Canned.error(429)
        }
        let client = scriptedClient(transport) {
            $0.retry = .disabled
            $0.fallbacks = [.provider(local, model: "smollm2")]
        }
        let request = ChatCompletionRequest(
            model: "mistral-small-latest", messages: [.user("Hi")], randomSeed: 7, toolChoice: .any, safePrompt: true)
        let response = try await client.chat(request)
        #expect(response.text == "Paris.")
        #expect(response.answeredBy?.upstream == "local-llama")
        #expect(response.usage?.cachedTokens == 4)
        #expect(response.choices.first?.finishReason == .toolCalls)
        let sent = try #require(transport.sent.withLock { $0.last })
        #expect(sent.url == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(sent.headers.first(name: "Authorization") == nil)
        let body = try JSONCoding.decode(JSONValue.self, from: sent.body ?? [])
        #expect(body["seed"] == 7)
        #expect(body["random_seed"] == nil)
        #expect(body["tool_choice"] == "required")
        #expect(body["safe_prompt"] == nil)
        #expect(body["model"] == "smollm2")
    }

    @Test func aStreamFallsBackAndAsksForUsage() async throws {
        let local = Upstream.openAICompatible(name: "local", baseURL: "http://127.0.0.1:8080")
        let transport = ScriptedTransport { request, _ in
            request.url.hasPrefix("http://127.0.0.1:8080")
                ? Canned.stream([Canned.chunk("Hi", finish: "stop", usage: true), "[DONE]"])
                : Canned.error(500)
        }
        let client = scriptedClient(transport) {
            $0.retry = .disabled
            $0.fallbacks = [.provider(local, model: "smollm2")]
        }
        let stream = try await client.chatStream(hello)
        #expect(stream.answeredBy?.upstream == "local")
        let response = try await stream.collect()
        #expect(response.text == "Hi")
        #expect(response.answeredBy?.routeIndex == 1)
        #expect(transport.bodies.last?["stream_options"]?["include_usage"] == true)
    }

    @Test func anOpenCircuitMovesStraightToTheFallback() async throws {
        let transport = ScriptedTransport { request, _ in
            let body = try JSONCoding.decode(JSONValue.self, from: request.body ?? [])
            return body["model"] == "mistral-large-latest" ? Canned.error(500) : Canned.json()
        }
        let client = scriptedClient(transport) {
            $0.retry = .disabled
            $0.circuitBreakers = CircuitBreakers(policy: .init(failureThreshold: 1), clock: ManualClock())
            $0.fallbacks = [.model("mistral-small-latest")]
        }
        let large = ChatCompletionRequest(model: "mistral-large-latest", messages: [.user("Hi")])
        _ = try await client.chat(large)
        let second = try await client.chat(large)
        #expect(second.answeredBy?.skipped == ["mistral/mistral-large-latest: circuit open"])
        #expect(transport.count == 3)  // large once, small twice
    }
}
