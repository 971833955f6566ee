/// One server-sent event of a streamed chat or FIM completion.
///
/// Usage arrives in the chunk whose choice carries a non-nil finish reason.
public struct ChatCompletionChunk: Sendable, Hashable, Codable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [StreamChoice]
    public var usage: UsageInfo?

    public init(
        id: String, object: String = "chat.completion.chunk", created: Int, model: String, choices: [StreamChoice],
        usage: UsageInfo? = nil
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion.chunk"
        created = try container.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try container.decodeIfPresent([StreamChoice].self, forKey: .choices) ?? []
        usage = try container.decodeIfPresent(UsageInfo.self, forKey: .usage)
    }

    /// One choice's increment.
    public struct StreamChoice: Sendable, Hashable, Codable {
        public var index: Int
        public var delta: DeltaMessage
        public var finishReason: FinishReason?

        public init(index: Int, delta: DeltaMessage, finishReason: FinishReason? = nil) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        private enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
            delta = try container.decodeIfPresent(DeltaMessage.self, forKey: .delta) ?? DeltaMessage()
            finishReason = try container.decodeIfPresent(FinishReason.self, forKey: .finishReason)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            if let finishReason {
                try container.encode(finishReason, forKey: .finishReason)
            } else {
                try container.encodeNil(forKey: .finishReason)
            }
        }
    }
}

/// The increment of an assistant message in a stream.
public struct DeltaMessage: Sendable, Hashable, Codable {
    public var role: String?
    public var content: MessageContent?
    public var toolCalls: [ToolCall]?

    public init(role: String? = nil, content: MessageContent? = nil, toolCalls: [ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
    }

    private enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
    }
}
