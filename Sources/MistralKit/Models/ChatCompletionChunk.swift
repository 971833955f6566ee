/// One server-sent event of a streamed chat or FIM completion.
///
/// Usage arrives in the chunk whose choice carries a non-nil finish reason.
public struct ChatCompletionChunk: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The wire object type, e.g. `chat.completion`.
    public var object: String
    /// Creation time, Unix seconds.
    public var created: Int
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The answers, one per `n`.
    public var choices: [StreamChoice]
    /// Tokens consumed; `nil` only when the server did not report them.
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
        try self.init(json: JSONValue(from: decoder), path: decoder.codingPath)
    }

    /// Reads a chunk from parsed JSON: the streaming hot path, without `Codable` containers.
    init(json: JSONValue, path: [any CodingKey] = []) throws {
        let reader = try JSONObjectReader(json, path: path)
        id = try reader.string("id") ?? ""
        object = try reader.string("object") ?? "chat.completion.chunk"
        created = try reader.int("created") ?? 0
        model = try reader.string("model") ?? ""
        choices = try reader.array("choices") { try StreamChoice(json: $0, path: []) } ?? []
        usage = try reader.decode("usage", as: UsageInfo.self)
    }

    /// One choice's increment.
    public struct StreamChoice: Sendable, Hashable, Codable {
        /// Position in the list it belongs to.
        public var index: Int
        /// What this chunk adds to the message.
        public var delta: DeltaMessage
        /// Why generation stopped; `nil` while it goes on.
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
            try self.init(json: JSONValue(from: decoder), path: decoder.codingPath)
        }

        init(json: JSONValue, path: [any CodingKey]) throws {
            let reader = try JSONObjectReader(json, path: path)
            index = try reader.int("index") ?? 0
            delta = try reader.object("delta") { try DeltaMessage(json: $0, path: []) } ?? DeltaMessage()
            finishReason = try reader.string("finish_reason").map(FinishReason.init(rawValue:))
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
    /// `assistant` in the first chunk of a stream.
    public var role: String?
    /// The content text.
    public var content: MessageContent?
    /// Tool calls the model asked for.
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

    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder), path: decoder.codingPath)
    }

    init(json: JSONValue, path: [any CodingKey]) throws {
        let reader = try JSONObjectReader(json, path: path)
        role = try reader.string("role")
        switch reader.value("content") {
        case .string(let text)?: content = .text(text)
        case nil: content = nil
        default: content = try reader.decode("content", as: MessageContent.self)
        }
        toolCalls = try reader.decode("tool_calls", as: [ToolCall].self)
    }
}
