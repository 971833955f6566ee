import Hummingbird
import MistralKit

extension EmulatedAPI {
    /// `POST /v1/moderations`: keyword-based category scores per text.
    func moderations(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(ClassificationRequest.self, from: context.body, schema: RequestSchemas.classification)
        _ = try model(request.model) { $0.moderation }
        return try await classify(request.input, context) { id, texts in
            ModerationResponse(id: id, model: request.model, results: texts.map(scorer.moderate))
        }
    }

    /// `POST /v1/chat/moderations`: the same, per conversation (all its message text).
    func chatModerations(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(ChatModerationRequest.self, from: context.body, schema: RequestSchemas.chatModeration)
        _ = try model(request.model) { $0.moderation }
        return try await classify(request.input.map(Self.text(of:)), context) { id, texts in
            ModerationResponse(id: id, model: request.model, results: texts.map(scorer.moderate))
        }
    }

    /// `POST /v1/classifications`: a `sentiment` target per text.
    func classifications(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(ClassificationRequest.self, from: context.body, schema: RequestSchemas.classification)
        _ = try model(request.model) { $0.classification }
        return try await classify(request.input, context) { id, texts in
            ClassificationResponse(id: id, model: request.model, results: texts.map(scorer.sentiment))
        }
    }

    /// `POST /v1/chat/classifications`: a `sentiment` target per conversation.
    func chatClassifications(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(
            ChatClassificationRequest.self, from: context.body, schema: RequestSchemas.chatClassification)
        _ = try model(request.model) { $0.classification }
        return try await classify(request.input.map { Self.text(of: $0.messages) }, context) { id, texts in
            ClassificationResponse(id: id, model: request.model, results: texts.map(scorer.sentiment))
        }
    }

    /// Admits and charges the texts' tokens, then answers with `build(id, texts)`.
    private func classify<Answer: Encodable>(
        _ texts: [String], _ context: EmulatorRequestContext, _ build: (String, [String]) -> Answer
    ) async throws -> Response {
        let tokens = texts.reduce(0) { $0 + TokenEstimator.count($1) }
        try admit(promptTokens: tokens)
        let reply = try Reply.json(build(CompletionGenerator.newID(), texts))
        return try await respond(reply, headers: charge(tokens), context)
    }

    private static func text(of messages: [ChatMessage]) -> String {
        messages.map(TokenEstimator.promptText(of:)).joined(separator: "\n")
    }
}
