/// Folds streamed chunks into the complete response: content and reasoning text concatenated,
/// tool calls merged by index (arguments appended in order), finish reasons and usage kept.
///
/// ``ChatCompletionStream`` uses one to attach what arrived to a truncated-stream error; use
/// your own to show progress while keeping the final message.
public struct ChatCompletionAccumulator: Sendable {
    private struct ChoiceState: Sendable {
        var text = ""
        var thinking = ""
        var otherChunks: [ContentChunk] = []
        var toolCalls: [Int: ToolCall] = [:]
        var toolCallOrder: [Int] = []
        var finishReason: FinishReason?
    }

    private var id = ""
    private var model = ""
    private var created = 0
    /// The choices seen, in the order they first appeared (streams have one or a few: a short
    /// array searched in order costs less per chunk than a dictionary).
    private var choices: [(index: Int, state: ChoiceState)] = []
    private(set) public var usage: UsageInfo?
    /// Number of chunks folded so far.
    private(set) public var chunkCount = 0

    public init() {}

    /// Adds one chunk.
    public mutating func add(_ chunk: ChatCompletionChunk) {
        chunkCount += 1
        if id.isEmpty { id = chunk.id }
        if model.isEmpty { model = chunk.model }
        if created == 0 { created = chunk.created }
        if let usage = chunk.usage { self.usage = usage }
        for position in chunk.choices.indices {
            let index = chunk.choices[position].index
            var slot = choices.firstIndex { $0.index == index } ?? choices.endIndex
            if slot == choices.endIndex {
                choices.append((index, ChoiceState()))
                slot = choices.count - 1
            }
            // Mutate in place: copying a choice out and back would copy its growing text on
            // every chunk (quadratic in the answer's length).
            Self.fold(chunk.choices[position], into: &choices[slot].state)
        }
    }

    private static func fold(_ choice: ChatCompletionChunk.StreamChoice, into state: inout ChoiceState) {
        switch choice.delta.content {
        case .text(let text)?:
            state.text += text
        case .chunks(let parts)?:
            for part in parts {
                switch part {
                case .text(let text): state.text += text
                case .thinking(let thinking): state.thinking += thinking.text
                default: state.otherChunks.append(part)
                }
            }
        case nil:
            break
        }
        for (position, call) in (choice.delta.toolCalls ?? []).enumerated() {
            let index = call.index ?? position
            if var existing = state.toolCalls[index] {
                if let id = call.id, !id.isEmpty, id != "null" { existing.id = id }
                if !call.function.name.isEmpty { existing.function.name = call.function.name }
                existing.function.arguments += call.function.arguments
                state.toolCalls[index] = existing
            } else {
                state.toolCalls[index] = call
                state.toolCallOrder.append(index)
            }
        }
        if let reason = choice.finishReason { state.finishReason = reason }
    }

    /// True when at least one choice has a finish reason and every choice seen has one.
    public var isFinished: Bool {
        !choices.isEmpty && choices.allSatisfy { $0.state.finishReason != nil }
    }

    /// True when any choice finished with `error`.
    public var finishedWithError: Bool {
        choices.contains { $0.state.finishReason == .error }
    }

    /// The response as it stands: complete once the stream ended normally.
    public var response: ChatCompletionResponse {
        let folded = choices.sorted { $0.index < $1.index }.map { index, state -> ChatCompletionChoice in
            var content: MessageContent?
            if !state.thinking.isEmpty || !state.otherChunks.isEmpty {
                var parts: [ContentChunk] = []
                if !state.thinking.isEmpty { parts.append(.thinking(.init(thinking: [.text(state.thinking)]))) }
                parts += state.otherChunks
                if !state.text.isEmpty { parts.append(.text(state.text)) }
                content = .chunks(parts)
            } else {
                content = .text(state.text)
            }
            let calls = state.toolCallOrder.compactMap { state.toolCalls[$0] }
            return ChatCompletionChoice(
                index: index, message: AssistantMessage(content: content, toolCalls: calls.isEmpty ? nil : calls),
                finishReason: state.finishReason)
        }
        return ChatCompletionResponse(id: id, model: model, created: created, choices: folded, usage: usage)
    }
}
