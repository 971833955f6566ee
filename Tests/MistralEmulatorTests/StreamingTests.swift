import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Streaming")
struct StreamingTests {
    @Test func wireShapeMatchesMistral() async throws {
        try await withEmulator { baseURL, _ in
            let body = #"""
                {"model":"mistral-small-latest","messages":[{"role":"user","content":"What is the capital of France?"}],"stream":true}
                """#
            let response = try await sendRaw("POST", baseURL + "/v1/chat/completions", body: body)
            #expect(response.status == 200)
            #expect(response.header("content-type") == "text/event-stream")
            #expect(response.text.hasSuffix("data: [DONE]\n\n"))
            let events = Fixtures.events(response.text)
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try JSONCoding.decode(JSONValue.self, from: Array($0.utf8)) }
            #expect(chunks.count == 1 + TokenEstimator.count(Fixtures.capitalAnswer))
            let first = try #require(chunks.first)
            #expect(first["object"] == "chat.completion.chunk")
            #expect(first["choices"]?.arrayValue?.first?["delta"] == ["role": "assistant", "content": ""])
            #expect(first["choices"]?.arrayValue?.first?["finish_reason"] == .null)
            let ids = Set(chunks.compactMap { $0["id"]?.stringValue })
            #expect(ids.count == 1 && Fixtures.isHexID(ids.first ?? ""))
            for chunk in chunks.dropLast() {
                #expect(chunk["usage"] == nil)
                #expect(chunk["choices"]?.arrayValue?.first?["finish_reason"] == .null)
            }
            let last = try #require(chunks.last)
            #expect(last["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
            #expect(last["choices"]?.arrayValue?.first?["delta"]?["content"] == ".")
            #expect(last["usage"] == ["prompt_tokens": 7, "completion_tokens": 7, "total_tokens": 14])
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == Fixtures.capitalAnswer)
        }
    }

    @Test func clientStreamMatchesTheJSONAnswer() async throws {
        try await withEmulatorClient { client, _ in
            let request = Fixtures.chat("Tell me something about rivers and stones.")
            let whole = try await client.chat(request)
            var pieces: [String] = []
            var usage: UsageInfo?
            for try await chunk in try await client.chatStream(request) {
                pieces.append(chunk.choices.first?.delta.content?.text ?? "")
                if let chunkUsage = chunk.usage { usage = chunkUsage }
            }
            #expect(pieces.joined() == whole.text)
            #expect(usage == whole.usage)
        }
    }

    @Test func streamedLengthCutCarriesUsage() async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.chatStream(Fixtures.chat("Write 40 words", maxTokens: 5)).collect()
            #expect(response.choices.first?.finishReason == .length)
            #expect(response.usage?.completionTokens == 5)
            #expect(response.text == "alpha river stone light garden")
        }
    }

    @Test func toolCallsArriveCompleteInOneDelta() async throws {
        try await withEmulator { baseURL, _ in
            let request = ChatCompletionRequest(
                model: Fixtures.chatModel, messages: [.user("What is the weather in Paris?")], tools: [Fixtures.weatherTool],
                toolChoice: .any)
            var json = try JSONCoding.decode(JSONValue.self, from: try JSONCoding.encode(request)).objectValue ?? [:]
            json["stream"] = true
            let response = try await sendRaw(
                "POST", baseURL + "/v1/chat/completions", body: JSONValue.object(json).jsonString)
            let events = Fixtures.events(response.text)
            #expect(events.count == 3)
            let chunk = try JSONCoding.decode(JSONValue.self, from: Array(events[1].utf8))
            let choice = try #require(chunk["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "tool_calls")
            #expect(chunk["usage"]?["completion_tokens"] != nil)
            let call = try #require(choice["delta"]?["tool_calls"]?.arrayValue?.first)
            #expect(call["index"] == 0)
            #expect(call["function"]?["name"] == "get_weather")
            let arguments = try #require(call["function"]?["arguments"]?.stringValue)
            #expect(try JSONCoding.decode(JSONValue.self, from: Array(arguments.utf8))["city"] != nil)
        }
    }
}
