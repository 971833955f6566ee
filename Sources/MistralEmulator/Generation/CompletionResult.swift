import MistralKit

/// A generated chat or FIM completion, renderable as one JSON response or as stream chunks.
struct CompletionResult: Sendable {
    /// 32 lowercase hex characters, like Mistral's.
    var id: String
    /// Unix seconds.
    var created: Int
    /// The model name as the request spelled it.
    var model: String
    var choices: [GeneratedChoice]
    var promptTokens: Int

    var completionTokens: Int { choices.reduce(0) { $0 + $1.completionTokens } }

    var usage: UsageInfo { UsageInfo(promptTokens: promptTokens, completionTokens: completionTokens) }

    /// The `chat.completion` object.
    var response: ChatCompletionResponse {
        ChatCompletionResponse(
            id: id, object: "chat.completion", model: model, created: created,
            choices: choices.map { choice in
                ChatCompletionChoice(
                    index: choice.index,
                    message: AssistantMessage(
                        content: .text(choice.text), toolCalls: choice.toolCalls.isEmpty ? nil : choice.toolCalls, prefix: false),
                    finishReason: choice.finishReason)
            },
            usage: usage)
    }

    /// The `chat.completion.chunk` events, in Mistral's order: per choice, a first chunk with
    /// `{role: "assistant", content: ""}`, then one chunk per token (or one chunk holding all the
    /// tool calls, each complete, with an `index`); the last chunk of each choice carries its
    /// finish reason, and the very last one carries `usage`. `[DONE]` is not included.
    var chunks: [ChatCompletionChunk] {
        var chunks: [ChatCompletionChunk] = []
        for (position, choice) in choices.enumerated() {
            chunks.append(chunk(choice.index, DeltaMessage(role: "assistant", content: .text(""))))
            if !choice.toolCalls.isEmpty {
                chunks.append(chunk(choice.index, DeltaMessage(content: .text(""), toolCalls: choice.toolCalls)))
            } else {
                for piece in TokenEstimator.pieces(of: choice.text) {
                    chunks.append(chunk(choice.index, DeltaMessage(content: .text(String(piece)))))
                }
            }
            if chunks.last?.choices.first?.delta.role != nil {
                // No content at all: the finish reason rides on an empty content chunk.
                chunks.append(chunk(choice.index, DeltaMessage(content: .text(""))))
            }
            chunks[chunks.count - 1].choices[0].finishReason = choice.finishReason
            if position == choices.count - 1 { chunks[chunks.count - 1].usage = usage }
        }
        return chunks
    }

    private func chunk(_ index: Int, _ delta: DeltaMessage) -> ChatCompletionChunk {
        ChatCompletionChunk(
            id: id, object: "chat.completion.chunk", created: created, model: model,
            choices: [.init(index: index, delta: delta, finishReason: nil)])
    }
}
