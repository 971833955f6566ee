import Logging

/// Stream opening: a 2xx response to a streamed call becomes a ``ChatCompletionStream``.
extension MistralClient {
    /// Executes a streamed completion (chat or FIM) and returns its stream once the head arrived.
    ///
    /// Lenient in: some proxies and OpenAI-compatible servers answer a stream request with one
    /// complete `application/json` completion. That answer is delivered as a stream of one chunk
    /// per choice, with its finish reasons and usage, and a warning is logged. Any other body
    /// that is not an event stream fails with `.undecodableResponse`.
    func openStream(_ prepared: PreparedCall) async throws -> ChatCompletionStream {
        let admitted = try await execute(prepared.call, body: prepared.body)
        return ChatCompletionStream(
            body: try await eventStreamBody(admitted, call: prepared.call), requestID: admitted.requestID, logger: configuration.logger,
            tracker: admitted.tracker, answeredBy: prepared.call.answeredBy)
    }

    /// The event stream of an admitted streamed call: its body, or the events standing for a
    /// whole JSON completion; anything else is recorded by the tracker and thrown.
    func eventStreamBody(_ admitted: Admitted, call: CallInfo) async throws -> ResponseBody {
        let response = admitted.response
        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        if contentType.contains("text/event-stream") { return response.body }
        let bytes = try await collectBody(admitted)
        if contentType.contains("json"), let whole = try? Self.decode(ChatCompletionResponse.self, from: bytes, dialect: call.upstream.dialect),
            !whole.choices.isEmpty
        {
            configuration.logger.warning(
                "a stream request was answered with one JSON completion; delivered as a stream of one chunk",
                metadata: ["request-id": "\(admitted.requestID ?? "-")", "model": "\(call.model ?? "-")"])
            let events = try JSONCoding.encodeBytes(ChatCompletionChunk(whole: whole)) + Array("\n\ndata: [DONE]\n\n".utf8)
            return ResponseBody(bytes: Array("data: ".utf8) + events)
        }
        let error = MistralError(
            kind: .undecodableResponse,
            message: "Expected an event stream but got content type '\(contentType.isEmpty ? "none" : contentType)'.",
            status: response.status, requestID: admitted.requestID, bodySnippet: ErrorResponse.snippet(bytes))
        admitted.tracker.finish(usage: nil, responseModel: nil, error: error)
        throw error
    }
}

extension ChatCompletionChunk {
    /// A whole completion as the one chunk that carries all of it.
    init(whole: ChatCompletionResponse) {
        self.init(
            id: whole.id, created: whole.created, model: whole.model,
            choices: whole.choices.map { choice in
                StreamChoice(
                    index: choice.index,
                    delta: DeltaMessage(role: "assistant", content: choice.message.content, toolCalls: choice.message.toolCalls),
                    finishReason: choice.finishReason)
            },
            usage: whole.usage)
    }
}
