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
