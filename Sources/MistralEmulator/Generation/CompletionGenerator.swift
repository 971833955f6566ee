import Foundation
import MistralKit

/// Produces chat and FIM completions from validated requests, deterministically: the same
/// model, messages (or prompt and suffix) and `random_seed` always give the same text, tool
/// calls and usage. Only `id` and `created` vary between calls.
struct CompletionGenerator: Sendable {
    let composer: AnswerComposer

    /// The completion of a chat. `maxTokens` is the request's `max_tokens`, or what is left of
    /// the context window when the request set none.
    /// Throws ``APIFailure`` (400) for a `tool_choice` naming an unknown function.
    func chat(_ request: ChatCompletionRequest, promptTokens: Int, maxTokens: Int?) throws -> CompletionResult {
        let stop = request.stop?.values ?? []
        let choices = try (0..<max(request.n ?? 1, 1)).map { index -> GeneratedChoice in
            var generator = SeededGenerator(seed: seed(request, choice: index))
            let calls = try ToolCallPlanner().calls(for: request, using: &generator)
            if !calls.isEmpty { return .toolCalls(calls, index: index) }
            let text = shaped(composer.chatAnswer(to: request.messages, using: &generator), format: request.responseFormat)
            return .text(text, index: index, stop: stop, maxTokens: maxTokens)
        }
        return CompletionResult(
            id: Self.newID(), created: Self.now(), model: request.model, choices: choices, promptTokens: promptTokens)
    }

    /// The completion of a FIM request (one choice).
    func fim(_ request: FIMCompletionRequest, promptTokens: Int, maxTokens: Int?) -> CompletionResult {
        var hash = StableHash()
        hash.combine(request.model)
        hash.combine(request.prompt)
        hash.combine(request.suffix ?? "")
        hash.combine(request.randomSeed ?? 0)
        var generator = SeededGenerator(seed: hash.value)
        let text = composer.fimAnswer(prompt: request.prompt, suffix: request.suffix ?? "", using: &generator)
        let choice = GeneratedChoice.text(text, index: 0, stop: request.stop?.values ?? [], maxTokens: maxTokens)
        return CompletionResult(id: Self.newID(), created: Self.now(), model: request.model, choices: [choice], promptTokens: promptTokens)
    }

    /// The answer in the requested format: as is for text, wrapped as `{"answer": ...}` for
    /// `json_object`, or a value generated from the schema for `json_schema`.
    private func shaped(_ answer: String, format: ResponseFormat?) -> String {
        switch format?.type {
        case .jsonObject?:
            return JSONValue.object(["answer": .string(answer)]).jsonString
        case .jsonSchema?:
            guard let schema = format?.jsonSchema?.schema else { return JSONValue.object([:]).jsonString }
            return SchemaValueGenerator(root: schema).value().jsonString
        default:
            return answer
        }
    }

    private func seed(_ request: ChatCompletionRequest, choice: Int) -> UInt64 {
        var hash = StableHash()
        hash.combine(request.model)
        let messages = (try? JSONCoding.encode(request.messages)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        hash.combine(messages)
        hash.combine(request.randomSeed ?? 0)
        hash.combine(choice)
        return hash.value
    }

    /// A fresh 32-hex-character id.
    static func newID() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }
}
