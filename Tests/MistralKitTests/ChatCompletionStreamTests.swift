import Testing

@testable import MistralKit

struct ChatCompletionStreamTests {
    static func chunk(_ delta: String, finish: String? = nil, usage: Bool = false, index: Int = 0) -> String {
        let finishJSON = finish.map { "\"\($0)\"" } ?? "null"
        let usageJSON = usage ? #","usage":{"prompt_tokens":34,"total_tokens":134,"completion_tokens":100}"# : ""
        return #"data: {"id":"f798","object":"chat.completion.chunk","created":1732548656,"model":"mistral-large-latest","choices":[{"index":\#(index),"delta":\#(delta),"finish_reason":\#(finishJSON)}]\#(usageJSON)}"#
            + "\n\n"
    }

    static let complete =
        chunk(#"{"role":"assistant","content":""}"#) + chunk(#"{"content":"C"}"#) + chunk(#"{"content":"izable"}"#, finish: "length", usage: true)
        + "data: [DONE]\n\n"

    @Test(arguments: [1, 2, 3, 7, 64, 10_000])
    func foldsAStreamSplitAnywhere(splitEvery: Int) async throws {
        let stream = ChatCompletionStream.over(PiecewiseBody(Self.complete, splitEvery: splitEvery))
        var texts: [String] = []
        for try await chunk in stream { texts.append(chunk.choices.first?.delta.content?.text ?? "") }
        #expect(texts == ["", "C", "izable"])
        let response = try await ChatCompletionStream.over(PiecewiseBody(Self.complete, splitEvery: splitEvery)).collect()
        #expect(response.text == "Cizable")
        #expect(response.choices[0].finishReason == .length)
        #expect(response.usage?.completionTokens == 100)
        #expect(response.id == "f798" && response.model == "mistral-large-latest")
    }

    @Test func endingWithoutDoneAfterAFinishReasonIsFine() async throws {
        let body = Self.chunk(#"{"content":"Hi"}"#, finish: "stop", usage: true)
        let response = try await ChatCompletionStream.over(PiecewiseBody(body)).collect()
        #expect(response.text == "Hi")
    }

    @Test func endingWithoutDoneOrFinishReasonIsTruncated() async throws {
        let body = Self.chunk(#"{"role":"assistant","content":""}"#) + Self.chunk(#"{"content":"The answer is"}"#)
        var received: [ChatCompletionChunk] = []
        let error = await #expect(throws: MistralError.self) {
            for try await chunk in ChatCompletionStream.over(PiecewiseBody(body)) { received.append(chunk) }
        }
        #expect(received.count == 2)
        #expect(error?.kind == .truncatedStream)
        #expect(error?.partial?.text == "The answer is")
        #expect(error?.requestID == "test-request")
    }

    /// llama-cpp-python's server ends a stream this way when another request interrupts it.
    @Test(arguments: [1, 5, 10_000])
    func doneBeforeAFinishReasonIsTruncated(splitEvery: Int) async throws {
        let body = Self.chunk(#"{"role":"assistant","content":""}"#) + Self.chunk(#"{"content":"The answer is"}"#) + "data: [DONE]\n\n"
        var received: [ChatCompletionChunk] = []
        let iterated = await #expect(throws: MistralError.self) {
            for try await chunk in ChatCompletionStream.over(PiecewiseBody(body, splitEvery: splitEvery)) { received.append(chunk) }
        }
        #expect(received.count == 2)
        #expect(iterated?.kind == .truncatedStream)
        #expect(iterated?.partial?.text == "The answer is")
        let collected = await #expect(throws: MistralError.self) {
            _ = try await ChatCompletionStream.over(PiecewiseBody(body, splitEvery: splitEvery)).collect()
        }
        #expect(collected?.kind == .truncatedStream)
        #expect(collected?.partial?.text == "The answer is")
    }

    @Test func doneAfterOnlyOneOfTwoChoicesFinishedIsTruncated() async throws {
        let body = Self.chunk(#"{"content":"A"}"#, finish: "stop", index: 0) + Self.chunk(#"{"content":"B"}"#, index: 1)
            + "data: [DONE]\n\n"
        let error = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(PiecewiseBody(body)).collect() }
        #expect(error?.kind == .truncatedStream)
    }

    @Test func anEventCutInTheMiddleIsTruncatedEvenAfterAFinishReason() async throws {
        let body = Self.chunk(#"{"content":"Hi"}"#, finish: "stop") + #"data: {"id":"f798","choi"#
        let error = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(PiecewiseBody(body)).collect() }
        #expect(error?.kind == .truncatedStream)
    }

    @Test func aConnectionDropMidStreamIsTruncatedWithThePartial() async throws {
        let drop = MistralError(kind: .connection, message: "reset")
        let body = PiecewiseBody(Self.chunk(#"{"content":"Part"}"#), failure: drop)
        let error = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(body).collect() }
        #expect(error?.kind == .truncatedStream)
        #expect(error?.partial?.text == "Part")
        let timeout = PiecewiseBody(Self.chunk(#"{"content":"Part"}"#), failure: MistralError(kind: .timeout, message: "idle"))
        let timedOut = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(timeout).collect() }
        #expect(timedOut?.kind == .timeout)
        #expect(timedOut?.partial?.text == "Part")
    }

    @Test func anErrorEventThrowsAStreamError() async throws {
        let body = Self.chunk(#"{"content":"Part"}"#)
            + #"data: {"object":"error","message":"Internal server error","type":"internal_error","param":null,"code":"1000"}"# + "\n\n"
        let error = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(PiecewiseBody(body)).collect() }
        #expect(error?.kind == .streamError)
        #expect(error?.message == "Internal server error")
        #expect(error?.code == "1000")
        #expect(error?.partial?.text == "Part")
    }

    @Test func finishReasonErrorThrowsAfterDeliveringTheChunk() async throws {
        let body = Self.chunk(#"{"content":"Par"}"#, finish: "error") + "data: [DONE]\n\n"
        var count = 0
        let error = await #expect(throws: MistralError.self) {
            for try await _ in ChatCompletionStream.over(PiecewiseBody(body)) { count += 1 }
        }
        #expect(count == 1)
        #expect(error?.kind == .streamError)
    }

    @Test func anUndecodableEventThrowsWithASnippet() async throws {
        let body = Self.chunk(#"{"content":"ok"}"#) + "data: {not json\n\n"
        let error = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(PiecewiseBody(body)).collect() }
        #expect(error?.kind == .undecodableResponse)
        #expect(error?.bodySnippet == "{not json")
        #expect(error?.partial?.text == "ok")
    }

    @Test func aChunkOfTheWrongShapeNamesWhere() async throws {
        let body = #"data: {"id":"x","choices":[{"index":0,"delta":{"content":"ok"}},{"index":"one","delta":{"tool_calls":[{"function":{"name":7}}]}}]}"# + "\n\n"
        let error = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(PiecewiseBody(body)).collect() }
        #expect(error?.kind == .undecodableResponse)
        #expect(error?.message.contains("expected Int at choices.1.index") == true, "\(error?.message ?? "")")
        let nested = #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"name":7,"arguments":"{}"}}]}}]}"# + "\n\n"
        let deep = await #expect(throws: MistralError.self) { _ = try await ChatCompletionStream.over(PiecewiseBody(nested)).collect() }
        #expect(deep?.message.contains("choices.0.delta.tool_calls.0.function.name") == true, "\(deep?.message ?? "")")
    }

    @Test func toolCallsAndThinkingAreMergedByIndex() async throws {
        let body =
            Self.chunk(#"{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Need "}]}]}"#)
            + Self.chunk(#"{"content":[{"type":"thinking","thinking":[{"type":"text","text":"the order."}]}]}"#)
            + Self.chunk(#"{"content":"","tool_calls":[{"id":"abcDEF123","type":"function","function":{"name":"get_order","arguments":"{\"id\":"},"index":0}]}"#)
            + Self.chunk(#"{"tool_calls":[{"id":"null","function":{"name":"","arguments":"42}"},"index":0},{"id":"xyzXYZ789","function":{"name":"get_weather","arguments":"{}"},"index":1}]}"#,
                finish: "tool_calls", usage: true)
            + "data: [DONE]\n\n"
        let response = try await ChatCompletionStream.over(PiecewiseBody(body, splitEvery: 5)).collect()
        let calls = try #require(response.message?.toolCalls)
        #expect(calls.map(\.id) == ["abcDEF123", "xyzXYZ789"])
        #expect(calls.map(\.function.name) == ["get_order", "get_weather"])
        #expect(calls[0].function.arguments == #"{"id":42}"#)
        #expect(response.message?.content?.thinkingText == "Need the order.")
        #expect(response.choices[0].finishReason == .toolCalls)
    }

    @Test func severalChoicesAreKeptApart() async throws {
        let body = Self.chunk(#"{"content":"A"}"#, index: 0) + Self.chunk(#"{"content":"B"}"#, index: 1)
            + Self.chunk(#"{"content":"a"}"#, finish: "stop", index: 0) + Self.chunk(#"{"content":"b"}"#, finish: "stop", index: 1)
        let response = try await ChatCompletionStream.over(PiecewiseBody(body)).collect()
        #expect(response.choices.map { $0.message.content?.text } == ["Aa", "Bb"])
    }
}
