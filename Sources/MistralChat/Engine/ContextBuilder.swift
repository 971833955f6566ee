import MistralKit

/// Fits a conversation's history into a prompt under the agent's token budget.
///
/// The agent's instructions and the conversation's pinned facts are always kept, and so are
/// the latest ``Agent/ContextPolicy/keepLatestTurns`` turns; older turns are dropped newest-last
/// until the rest fits, and the prompt says how many were left out. A turn whose answer failed,
/// was abandoned (its process stopped) or never came is left out whole, its message included: the
/// model is never shown unanswered messages as if they were an exchange, and the user's next
/// message stands on its own. (The current turn's message, whose answer is being made, is kept.)
struct ContextBuilder {
    let agent: Agent
    let counter: any TokenCounting

    /// The history that fits, ready to be rendered as a prompt once it is known whether the
    /// left-out turns are summarised.
    struct Result {
        /// The instructions and pinned facts.
        var system: String
        /// The kept turns' messages, oldest first.
        var history: [ChatMessage]
        /// Turns left out to fit the budget.
        var droppedTurns: Int
        /// Their messages, oldest first (what a summary is made of).
        var droppedMessages: [ChatMessage]

        /// The prompt. With `summary` (of the turns that do not fit), it carries the summary in
        /// place of the count of left-out turns.
        func messages(summary: String? = nil) -> [ChatMessage] {
            var system = system
            if droppedTurns > 0 {
                let plural = droppedTurns == 1 ? "" : "s"
                let note =
                    summary.map { "Summary of the \(droppedTurns) earlier turn\(plural) of this conversation, left out to fit the context:\n\($0)" }
                    ?? "(\(droppedTurns) earlier turn\(plural) of this conversation are left out to fit the context.)"
                system += (system.isEmpty ? "" : "\n\n") + note
            }
            return (system.isEmpty ? [] : [.system(system)]) + history
        }
    }

    /// The turns of `history` that fit under the budget: the latest ones, the oldest left out first.
    func build(conversation: Conversation, history: [ConversationEntry]) -> Result {
        let turns = Self.turns(history)
        var system = agent.systemPrompt
        if !conversation.pinnedFacts.isEmpty {
            system += (system.isEmpty ? "" : "\n\n") + "Facts to keep in mind:\n" + conversation.pinnedFacts.map { "- \($0)" }.joined(separator: "\n")
        }
        var used = system.isEmpty ? 0 : counter.tokens(in: system) + 4
        var kept: [[ChatMessage]] = []
        for (index, turn) in turns.reversed().enumerated() {
            let size = turn.reduce(0) { $0 + counter.tokens(of: $1) }
            if index >= agent.context.keepLatestTurns && used + size > agent.context.budgetTokens { break }
            used += size
            kept.insert(turn, at: 0)
        }
        let dropped = turns.count - kept.count
        return Result(
            system: system, history: Self.mergingConsecutiveUserMessages(kept.flatMap { $0 }), droppedTurns: dropped,
            droppedMessages: turns.prefix(dropped).flatMap { $0 })
    }

    /// History as turns: a user message, the tool calls and results of its answer, then the
    /// answer (stored before its tool entries, since it was reserved first).
    static func turns(_ history: [ConversationEntry]) -> [[ChatMessage]] {
        var turns: [(messages: [ChatMessage], answer: ChatMessage?, unanswered: Bool)] = []
        var pendingCalls: [ToolCall] = []
        func current() -> Int {
            if turns.isEmpty { turns.append(([], nil, false)) }
            return turns.count - 1
        }
        for entry in history {
            switch (entry.kind, entry.status) {
            case (.input, _):
                turns.append(([.user(entry.content)], nil, false))
            case (.output, .complete):
                turns[current()].answer = .assistant(entry.content)
            case (.output, _):
                // Failed, abandoned, pending or waiting: the turn is not history.
                turns[current()].unanswered = true
            case (.functionCall, _):
                _ = current()
                pendingCalls.append(
                    ToolCall(id: entry.toolCallID ?? "", function: .init(name: entry.toolName ?? "", arguments: entry.toolArguments ?? "{}")))
            case (.functionResult, _):
                let index = current()
                if !pendingCalls.isEmpty {
                    turns[index].messages.append(.assistant(AssistantMessage(content: nil, toolCalls: pendingCalls)))
                    pendingCalls = []
                }
                turns[index].messages.append(.tool(callID: entry.toolCallID ?? "", name: entry.toolName, content: entry.content))
            }
        }
        return turns.filter { !$0.unanswered }.map { $0.messages + ($0.answer.map { [$0] } ?? []) }.filter { !$0.isEmpty }
    }

    static func mergingConsecutiveUserMessages(_ messages: [ChatMessage]) -> [ChatMessage] {
        var merged: [ChatMessage] = []
        for message in messages {
            if case .user(let content) = message, let last = merged.last, case .user(let previous) = last {
                merged[merged.count - 1] = .user((previous?.text ?? "") + "\n\n" + (content?.text ?? ""))
            } else {
                merged.append(message)
            }
        }
        return merged
    }
}
