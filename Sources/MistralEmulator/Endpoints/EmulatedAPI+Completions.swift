import Hummingbird
import MistralKit

extension EmulatedAPI {
    /// `POST /v1/chat/completions`, as JSON or as an event stream.
    func chatCompletions(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(ChatCompletionRequest.self, from: context.body, schema: RequestSchemas.chatCompletion)
        let card = try model(request.model) { $0.completionChat }
        try Self.checkOrder(request.messages)
        let promptTokens = TokenEstimator.promptTokens(for: request)
        let maxTokens = try fit(promptTokens: promptTokens, maxTokens: request.maxTokens, card: card)
        try admit(promptTokens: promptTokens)
        let result = try generator.chat(request, promptTokens: promptTokens, maxTokens: maxTokens)
        return try await answer(result, stream: request.stream == true, context)
    }

    /// `POST /v1/fim/completions`, as JSON or as an event stream.
    func fimCompletions(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(FIMCompletionRequest.self, from: context.body, schema: RequestSchemas.fimCompletion)
        let card = try model(request.model) { $0.completionFIM }
        let promptTokens = TokenEstimator.count(request.prompt) + TokenEstimator.count(request.suffix ?? "")
        let maxTokens = try fit(promptTokens: promptTokens, maxTokens: request.maxTokens, card: card)
        try admit(promptTokens: promptTokens)
        let result = generator.fim(request, promptTokens: promptTokens, maxTokens: maxTokens)
        return try await answer(result, stream: request.stream == true, context)
    }

    private func answer(_ result: CompletionResult, stream: Bool, _ context: EmulatorRequestContext) async throws -> Response {
        let headers = charge(result.usage.totalTokens)
        let reply = stream ? try Reply.events(result.chunks) : try Reply.json(result.response, completionTokens: result.completionTokens)
        return try await respond(reply, headers: headers, context)
    }

    /// The completion budget: `max_tokens`, or what the context window leaves. Throws 400
    /// (code 3051) when the prompt plus `max_tokens` exceed the window.
    private func fit(promptTokens: Int, maxTokens: Int?, card: ModelCard) throws -> Int {
        let window = card.maxContextLength ?? 32_768
        guard promptTokens + (maxTokens ?? 0) <= window else {
            throw APIFailure.contextOverflow(promptTokens: promptTokens, maxTokens: maxTokens ?? 0, contextLength: window)
        }
        return maxTokens ?? (window - promptTokens)
    }

    /// Mistral's serving rules: at least one message, and the last one from the user or a tool
    /// (or an assistant prefix).
    private static func checkOrder(_ messages: [ChatMessage]) throws {
        guard let last = messages.last else {
            throw APIFailure.badRequest("Conversation must contain at least one message.")
        }
        switch last {
        case .user, .tool:
            return
        case .assistant(let message) where message.prefix == true:
            return
        default:
            throw APIFailure.badRequest(
                "Expected last role User or Tool (or Assistant with prefix True) for serving but got \(last.role)",
                type: "invalid_request_message_order", code: "3230")
        }
    }
}
