import MistralKit

/// The knowledge an answer is given from: the best chunks for the user's message across an
/// agent's knowledge bases, numbered into the system prompt so the answer can cite them.
struct AnswerSources: Sendable {
    let knowledge: KnowledgeService
    /// Chunks kept for one answer, from all the knowledge bases together.
    let limit: Int

    /// The best `limit` chunks for `question` across `knowledgeBases`, by fused score.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownKnowledgeBase`, or a `MistralError` when the
    ///   question cannot be embedded.
    func citations(for question: String, from knowledgeBases: [String]) async throws -> [Citation] {
        var all: [Citation] = []
        for name in knowledgeBases { all += try await knowledge.search(question, in: name, limit: limit) }
        return Array(all.sorted { ($0.score, $1.chunkID) > ($1.score, $0.chunkID) }.prefix(limit))
    }

    /// `messages` with `citations` added to the system prompt, numbered for citing ([1], [2], ...).
    static func prompt(_ citations: [Citation], _ messages: [ChatMessage]) -> [ChatMessage] {
        guard !citations.isEmpty else { return messages }
        let sources =
            "Answer from these sources when they are relevant, and cite them by number like [1]:\n"
            + citations.enumerated().map { "[\($0.offset + 1)] \($0.element.title): \($0.element.text)" }.joined(separator: "\n")
        var messages = messages
        if case .system(let content)? = messages.first {
            messages[0] = .system(content.text + "\n\n" + sources)
        } else {
            messages.insert(.system(sources), at: 0)
        }
        return messages
    }
}
