/// The answer to a chat or FIM completion.
///
/// Decoding is lenient: missing bookkeeping fields take empty defaults, unknown members are
/// ignored, and ``usage`` is `nil` only when the server did not report it (so a caller can
/// tell "zero tokens" from "not counted").
public struct ChatCompletionResponse: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The wire object type, e.g. `chat.completion`.
    public var object: String
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// Unix seconds.
    public var created: Int
    /// The answers, one per `n`.
    public var choices: [ChatCompletionChoice]
    /// Tokens consumed; `nil` only when the server did not report them.
    public var usage: UsageInfo?
    /// Which route answered when the client has fallbacks (not part of the wire format).
    public var answeredBy: AnsweredBy? = nil

    public init(
        id: String, object: String = "chat.completion", model: String, created: Int,
        choices: [ChatCompletionChoice], usage: UsageInfo?
    ) {
        self.id = id
        self.object = object
        self.model = model
        self.created = created
        self.choices = choices
        self.usage = usage
    }

    /// The first choice's message, the answer in the common `n == 1` case.
    public var message: AssistantMessage? { choices.first?.message }

    /// The first choice's visible text (reasoning excluded), or the empty string.
    public var text: String { choices.first?.message.content?.text ?? "" }

    private enum CodingKeys: String, CodingKey { case id, object, model, created, choices, usage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion"
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        created = try container.decodeIfPresent(Int.self, forKey: .created) ?? 0
        choices = try container.decodeIfPresent([ChatCompletionChoice].self, forKey: .choices) ?? []
        usage = try container.decodeIfPresent(UsageInfo.self, forKey: .usage)
    }
}

/// One of the `n` answers.
public struct ChatCompletionChoice: Sendable, Hashable, Codable {
    /// Position in the list it belongs to.
    public var index: Int
    /// The answer message.
    public var message: AssistantMessage
    /// Why generation stopped; `nil` while it goes on.
    public var finishReason: FinishReason?

    public init(index: Int, message: AssistantMessage, finishReason: FinishReason?) {
        self.index = index
        self.message = message
        self.finishReason = finishReason
    }

    private enum CodingKeys: String, CodingKey {
        case index, message
        case finishReason = "finish_reason"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
        message = try container.decodeIfPresent(AssistantMessage.self, forKey: .message) ?? AssistantMessage()
        finishReason = try container.decodeIfPresent(FinishReason.self, forKey: .finishReason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(message, forKey: .message)
        if let finishReason {
            try container.encode(finishReason, forKey: .finishReason)
        } else {
            try container.encodeNil(forKey: .finishReason)
        }
    }
}

// MARK: - Fast path

extension ChatCompletionResponse {
    /// Reads a response straight from its JSON bytes, without a tree or `Codable` containers.
    ///
    /// `nil` whenever the bytes are anything but a plain response (a repeated or escaped member
    /// name, an unexpected type, invalid JSON): the caller then decodes them with `Decodable`,
    /// which returns the same response or throws its usual error. Usage, content chunks and
    /// tool calls are read as small trees by their `Decodable` conformances.
    static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> ChatCompletionResponse? {
        var cursor = JSONCursor(bytes)
        return try? read(&cursor)
    }

    private static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> ChatCompletionResponse {
        guard try cursor.openObjectOrNull() else { throw JSONCursor.Miss() }
        var response = ChatCompletionResponse(id: "", model: "", created: 0, choices: [], usage: nil)
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("id") {
                try seen.insert(0)
                response.id = try cursor.stringOrNull() ?? ""
            } else if name.spells("object") {
                try seen.insert(1)
                response.object = try cursor.stringOrNull() ?? "chat.completion"
            } else if name.spells("model") {
                try seen.insert(2)
                response.model = try cursor.stringOrNull() ?? ""
            } else if name.spells("created") {
                try seen.insert(3)
                response.created = try cursor.intOrNull() ?? 0
            } else if name.spells("choices") {
                try seen.insert(4)
                if try cursor.openArrayOrNull() {
                    var firstChoice = true
                    while try cursor.nextElement(first: &firstChoice) {
                        response.choices.append(try ChatCompletionChoice.read(&cursor))
                    }
                }
            } else if name.spells("usage") {
                try seen.insert(5)
                if try !cursor.skipNull() {
                    response.usage = try UsageInfo.read(&cursor, depth: 1)
                }
            } else {
                _ = try cursor.value(depth: 1)
            }
        }
        try cursor.finish()
        return response
    }
}

extension ChatCompletionChoice {
    fileprivate static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> ChatCompletionChoice {
        let (index, message, finishReason) = try cursor.choice(body: "message", empty: AssistantMessage()) {
            (cursor: inout JSONCursor) throws(JSONCursor.Miss) in try AssistantMessage.read(&cursor)
        }
        return ChatCompletionChoice(index: index, message: message, finishReason: finishReason)
    }
}

extension AssistantMessage {
    /// Reads the members of a message whose `{` was consumed (`role` is skipped, as `Decodable` does).
    fileprivate static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> AssistantMessage {
        var message = AssistantMessage()
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("content") {
                try seen.insert(0)
                message.content = try MessageContent.readOrNull(&cursor, depth: 4)
            } else if name.spells("tool_calls") {
                try seen.insert(1)
                message.toolCalls = try [ToolCall].readOrNull(&cursor, depth: 4)
            } else if name.spells("prefix") {
                try seen.insert(2)
                message.prefix = try cursor.boolOrNull()
            } else {
                _ = try cursor.value(depth: 4)
            }
        }
        return message
    }
}
