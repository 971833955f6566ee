import Foundation
import MistralKit
import Synchronization

/// Summarises the turns a prompt leaves out, with the agent's model, and remembers each summary
/// so that the same left-out turns cost one call.
///
/// The cache is in memory, keyed by conversation, model and the turns covered: a restarted
/// engine makes each summary again once. A failed call is not fatal: the turn goes on with the
/// count of left-out turns instead.
final class TurnSummarizer: Sendable {
    let client: MistralClient
    /// Summaries by a hash of conversation, model and the messages they cover.
    private let summaries = Mutex<[Int: String]>([:])

    init(client: MistralClient) {
        self.client = client
    }

    /// A summary of `messages` (turns left out of the prompt) by `model`, or `nil` when the call
    /// fails or answers nothing (logged as a warning).
    func summary(of messages: [ChatMessage], conversationID: String, model: String, tags: [String: String]) async -> String? {
        var hasher = Hasher()
        hasher.combine(conversationID)
        hasher.combine(model)
        for message in messages { hasher.combine(message) }
        let key = hasher.finalize()
        if let known = summaries.withLock({ $0[key] }) { return known }
        let request = ChatCompletionRequest(
            model: model,
            messages: [
                .system(
                    "Summarise this earlier part of a conversation in at most five sentences. Keep names, numbers, order and reference ids, decisions and open questions. Write only the summary."
                ),
                .user(Self.transcript(of: messages)),
            ], temperature: 0, maxTokens: 300)
        do {
            let text = try await client.chat(request, tags: tags.merging(["purpose": "summary"]) { $1 }).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return nil }
            summaries.withLock { summaries in
                if summaries.count >= 10_000 { summaries.removeAll() }
                summaries[key] = text
            }
            return text
        } catch {
            client.configuration.logger.warning(
                "could not summarise older turns; counting them instead", metadata: ["conversation": "\(conversationID)", "error": "\(error)"])
            return nil
        }
    }

    /// `messages` as lines of a transcript ("User: ...", "Assistant: ..."), without the system prompt.
    private static func transcript(of messages: [ChatMessage]) -> String {
        messages.compactMap { message -> String? in
            switch message {
            case .user(let content): content.map { "User: \($0.text)" }
            case .assistant(let answer): answer.content.map { "Assistant: \($0.text)" }
            case .tool(let content, _, let name): content.map { "Tool \(name ?? "result"): \($0.text)" }
            case .system: nil
            }
        }.joined(separator: "\n")
    }
}
