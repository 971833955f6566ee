import MistralKit

/// Asks Mistral's moderation endpoint whether a text is one an agent's guardrails refuse.
struct Moderation: Sendable {
    let client: MistralClient

    /// Whether `guardrails.moderationModel` flags `text` in any category.
    ///
    /// - Throws: the `MistralError` of the moderation call; the turn then fails like a failed answer.
    func flags(_ text: String, _ guardrails: Agent.Guardrails, tags: [String: String]) async throws -> Bool {
        let response = try await client.moderations(ClassificationRequest(model: guardrails.moderationModel, input: [text]), tags: tags)
        return response.results.contains { result in result.categories.values.contains(true) }
    }
}
