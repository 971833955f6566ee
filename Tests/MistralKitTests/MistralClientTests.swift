import Foundation
import NIOHTTP1
import Testing

@testable import MistralKit

struct MistralClientTests {
    static let okChat = #"{"id":"1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#

    func client(
        _ transport: FakeTransport, key: String? = "sk-secret-123456", server: MistralServer = MistralServer(baseURL: "http://127.0.0.1:1/v1/"),
        configure: (inout MistralClient.Configuration) -> Void = { _ in }
    ) -> MistralClient {
        var configuration = MistralClient.Configuration(apiKey: key, server: server, defaultHeaders: [("X-Tenant", "acme")])
        configure(&configuration)
        return MistralClient(configuration: configuration, transport: transport)
    }

    @Test func sendsAStrictBodyWithAuthAndHeaders() async throws {
        let transport = FakeTransport(body: Self.okChat)
        let response = try await client(transport).chat(.init(model: "m", messages: [.user("hi")], temperature: 0.2))
        #expect(response.text == "hello")
        let sent = try #require(transport.sent.withLock { $0.first })
        #expect(sent.url == "http://127.0.0.1:1/v1/chat/completions")
        #expect(sent.method == .POST)
        #expect(sent.headers.first(name: "authorization") == "Bearer sk-secret-123456")
        #expect(sent.headers.first(name: "x-tenant") == "acme")
        #expect(sent.headers.first(name: "user-agent")?.hasPrefix("mistralkit-swift/") == true)
        let body = try JSONCoding.decode(JSONValue.self, from: sent.body ?? [])
        #expect(body == ["model": "m", "messages": [["role": "user", "content": "hi"]], "temperature": 0.2, "stream": false])
    }

    @Test func curlCommandRedactsTheKeyUnlessAsked() throws {
        let c = client(FakeTransport(body: Self.okChat))
        let request = ChatCompletionRequest(model: "m", messages: [.user("it's")])
        let curl = try c.curlCommand(for: request, stream: true)
        #expect(curl.contains("'Authorization: Bearer ***'"))
        #expect(!curl.contains("sk-secret-123456"))
        #expect(curl.contains("-X POST 'http://127.0.0.1:1/v1/chat/completions'"))
        #expect(curl.contains(#""stream":true"#))
        #expect(curl.contains(#"it'\''s"#))
        #expect(curl.hasSuffix(" -N"))
        #expect(try c.curlCommand(for: request, revealKey: true).contains("Bearer sk-secret-123456"))
    }

    @Test func officialServerWithoutKeyFailsBeforeSending() async throws {
        let transport = FakeTransport(body: Self.okChat)
        let error = await #expect(throws: MistralError.self) {
            _ = try await client(transport, key: nil, server: .global).chat(.init(model: "m", messages: [.user("hi")]))
        }
        #expect(error?.kind == .configuration)
        #expect(transport.sent.withLock { $0.isEmpty })
        // A local server (gateway, llama.cpp) needs no key.
        _ = try await client(transport, key: nil).chat(.init(model: "m", messages: [.user("hi")]))
        #expect(transport.sent.withLock { $0.first?.headers.contains(name: "authorization") } == false)
    }

    @Test func badBaseURLIsAConfigurationError() async throws {
        let error = await #expect(throws: MistralError.self) {
            _ = try await client(FakeTransport(body: "{}"), server: MistralServer(baseURL: "localhost:8080")).listModels()
        }
        #expect(error?.kind == .configuration)
    }

    @Test func errorStatusesBecomeTypedErrors() async throws {
        let transport = FakeTransport(
            status: 422, headers: [("mistral-correlation-id", "c-1")],
            body: #"{"detail":[{"type":"extra_forbidden","loc":["body","store"],"msg":"Extra inputs are not permitted"}]}"#)
        let error = await #expect(throws: MistralError.self) { _ = try await client(transport).chat(.init(model: "m", messages: [])) }
        #expect(error?.kind == .validation)
        #expect(error?.status == 422 && error?.requestID == "c-1")
        #expect(error?.validationErrors.first?.location == ["body", "store"])
    }

    @Test func undecodableSuccessKeepsASnippet() async throws {
        let transport = FakeTransport(body: #"{"choices":"nope"}"#)
        let error = await #expect(throws: MistralError.self) { _ = try await client(transport).chat(.init(model: "m", messages: [])) }
        #expect(error?.kind == .undecodableResponse)
        #expect(error?.bodySnippet == #"{"choices":"nope"}"#)
        #expect(error?.message.contains("choices") == true)
    }

    /// Some proxies and OpenAI-compatible servers answer a stream request with one JSON completion.
    @Test func aStreamAnsweredWithOneJSONCompletionIsDeliveredAsOneChunk() async throws {
        let ledger = InMemoryUsageLedger()
        let transport = FakeTransport(body: Self.okChat)
        let stream = try await client(transport, configure: { $0.usageLedger = ledger }).chatStream(.init(model: "m", messages: []))
        var chunks: [ChatCompletionChunk] = []
        for try await chunk in stream { chunks.append(chunk) }
        #expect(chunks.count == 1)
        #expect(chunks.first?.choices.first?.delta.content?.text == "hello")
        #expect(chunks.first?.choices.first?.finishReason == .stop)
        #expect(chunks.first?.usage?.totalTokens == 4)
        let record = try #require(ledger.records().first)
        #expect(record.promptTokens == 3 && record.completionTokens == 1 && !record.estimated)
        let collected = try await client(FakeTransport(body: Self.okChat)).chatStream(.init(model: "m", messages: [])).collect()
        #expect(collected.text == "hello")
    }

    @Test func aStreamAnsweredWithSomethingElseIsRejected() async throws {
        for (contentType, body) in [("application/json", #"{"choices":"nope"}"#), ("text/html", "<html>proxy error</html>")] {
            let transport = FakeTransport(headers: [("content-type", contentType)], body: body)
            let error = await #expect(throws: MistralError.self) { _ = try await client(transport).chatStream(.init(model: "m", messages: [])) }
            #expect(error?.kind == .undecodableResponse)
            #expect(error?.message.contains(contentType) == true)
            #expect(error?.bodySnippet == body)
        }
    }

    @Test func base64EmbeddingsAreUnpackedWithTheRequestDtype() async throws {
        let packed = EmbeddingPacking.pack([-3, 0, 5], dtype: .int8)
        let transport = FakeTransport(body: #"{"id":"e","object":"list","model":"mistral-embed","data":[{"object":"embedding","index":0,"embedding":"\#(packed)"}],"usage":{"prompt_tokens":2,"completion_tokens":0,"total_tokens":2}}"#)
        let response = try await client(transport).embeddings(
            .init(model: "mistral-embed", input: ["x"], outputDtype: .int8, encodingFormat: .base64))
        #expect(response.vectors == [[-3, 0, 5]])
        #expect(response.data[0].base64 == packed)
    }

    @Test func modelIdsAreEscapedInPaths() async throws {
        let transport = FakeTransport(body: #"{"id":"ft:open-mistral-7b:587a6b29:20240514:7e773925","object":"model","deleted":true}"#)
        let deleted = try await client(transport).deleteModel(id: "ft:open-mistral-7b:587a6b29:20240514:7e773925")
        #expect(deleted.deleted)
        #expect(transport.sent.withLock { $0[0].method } == .DELETE)
        #expect(transport.sent.withLock { $0[0].url }.hasSuffix("/v1/models/ft:open-mistral-7b:587a6b29:20240514:7e773925"))
    }

    @Test(arguments: [("http://h:1", "http://h:1"), ("http://h:1/", "http://h:1"), ("http://h:1/v1", "http://h:1"), ("https://x.io/proxy/v1/", "https://x.io/proxy")])
    func baseURLsAreNormalised(input: String, expected: String) {
        #expect(MistralServer(baseURL: input).baseURL == expected)
    }

    @Test func environmentConfiguration() {
        let config = MistralClient.Configuration.fromEnvironment(["MISTRAL_API_KEY": "k", "MISTRAL_SERVER": "eu"])
        #expect(config.apiKey == "k" && config.server == .eu)
        let local = MistralClient.Configuration.fromEnvironment(["MISTRAL_BASE_URL": "http://127.0.0.1:9/v1"])
        #expect(local.server.baseURL == "http://127.0.0.1:9" && local.apiKey == nil)
    }
}
