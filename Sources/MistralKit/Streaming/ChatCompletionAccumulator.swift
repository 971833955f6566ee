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
    /// The last chunk read in full by ``add(chunkJSON:)``, when it was only a text delta.
    private var template: ChunkTemplate?
    /// Number of chunks folded so far.
    private(set) public var chunkCount = 0

    public init() {}

    /// Adds one chunk.
    public mutating func add(_ chunk: ChatCompletionChunk) {
        addMembers(id: chunk.id, model: chunk.model, created: chunk.created, usage: chunk.usage)
        for choice in chunk.choices { add(choice) }
    }

    /// Folds one choice's increment into the choice with its index.
    private mutating func add(_ choice: ChatCompletionChunk.StreamChoice) {
        var slot = choices.firstIndex { $0.index == choice.index } ?? choices.endIndex
        if slot == choices.endIndex {
            choices.append((choice.index, ChoiceState()))
            slot = choices.count - 1
        }
        // Mutate in place: copying a choice out and back would copy its growing text on
        // every chunk (quadratic in the answer's length).
        Self.fold(choice, into: &choices[slot].state)
    }

    /// Adds one chunk straight from its JSON bytes: what ``ChatCompletionStream/collect()`` does
    /// with each event, since nobody sees the chunks. A chunk that matches the template (see
    /// ``ChunkTemplate``) has only its text read, and no chunk is made; any other is read by
    /// `ChatCompletionChunk.read(_:previous:)` and added. Anything but a plain chunk (an error
    /// body, a repeated member, invalid JSON, …) throws ``JSONCursor/Miss`` before anything is
    /// changed, and the stream then takes the tree path, which adds the chunk or throws its usual error.
    mutating func add(chunkJSON bytes: UnsafeBufferPointer<UInt8>) throws(JSONCursor.Miss) {
        if addIfTemplated(bytes) != nil { return }
        // Read in full (a stream's first chunks, or one that differs from the last around its
        // text), by the chunk's own reader; it may become the template for those that follow.
        var content: Range<Int>?
        let chunk = try ChatCompletionChunk.read(bytes, previous: nil, content: &content)
        add(chunk)
        remember(chunk, bytes: bytes, content: content)
    }

    /// What a chunk's top-level members add: one more chunk; its id, model and creation time
    /// if none is known yet; its usage, which replaces any earlier.
    private mutating func addMembers(id chunkID: String?, model chunkModel: String?, created chunkCreated: Int?, usage chunkUsage: UsageInfo?) {
        chunkCount += 1
        if id.isEmpty, let chunkID { id = chunkID }
        if model.isEmpty, let chunkModel { model = chunkModel }
        if created == 0, let chunkCreated { created = chunkCreated }
        if let chunkUsage { usage = chunkUsage }
    }

    /// Adds the chunk `bytes` hold when they are the template's bytes around another text (see
    /// ``ChunkTemplate``), and returns that text; `nil`, changing nothing, when they are not.
    mutating func addIfTemplated(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // Read in place (binding the template would copy it, and retain all it holds, per chunk).
        guard let text = template?.text(of: bytes) else { return nil }
        addTemplateMembers()
        // What folding the prototype's one choice with this text does, without making it.
        let index = template.unsafelyUnwrapped.choiceIndex
        if let slot = choices.firstIndex(where: { $0.index == index }) {
            choices[slot].state.text += text
        } else {
            choices.append((index, ChoiceState(text: text)))
        }
        return text
    }

    /// The chunk that ``addIfTemplated(_:)`` just added with `text`, for a stream that hands
    /// chunks out. Only right after that call returned `text`, so there is a template.
    func templatedChunk(text: String) -> ChatCompletionChunk {
        template.unsafelyUnwrapped.chunk(text: text)
    }

    /// Keeps `chunk`, read in full from `bytes` with its text at `content`, as the template for
    /// the chunks that follow, when it is one text delta; otherwise keeps none.
    mutating func remember(_ chunk: ChatCompletionChunk, bytes: UnsafeBufferPointer<UInt8>, content: Range<Int>?) {
        template = content.flatMap { ChunkTemplate(bytes: bytes, content: $0, chunk: chunk) }
    }

    /// ``addMembers(id:model:created:usage:)`` for a chunk that matched the template.
    private mutating func addTemplateMembers() {
        // Once the stream's first chunks are in, the prototype has nothing to add.
        guard id.isEmpty || model.isEmpty || created == 0, let prototype = template?.prototype else {
            chunkCount += 1
            return
        }
        addMembers(id: prototype.id, model: prototype.model, created: prototype.created, usage: nil)
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

