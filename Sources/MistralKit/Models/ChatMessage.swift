/// One message of a chat, discriminated on the wire by `role`.
public enum ChatMessage: Sendable, Hashable {
    /// Instructions for the model. Content is text, or text and thinking chunks.
    case system(content: MessageContent)
    /// What the user said: text or any content chunks (images, documents, audio, files).
    case user(content: MessageContent?)
    /// An earlier answer, or with `prefix: true` the start of the answer the model must continue.
    case assistant(AssistantMessage)
    /// A tool's result for the call `toolCallID`.
    case tool(content: MessageContent?, toolCallID: String?, name: String?)

    /// A system message with text content.
    public static func system(_ text: String) -> ChatMessage { .system(content: .text(text)) }
    /// A user message with text content.
    public static func user(_ text: String) -> ChatMessage { .user(content: .text(text)) }
    /// An assistant message with text content.
    public static func assistant(_ text: String) -> ChatMessage { .assistant(AssistantMessage(content: .text(text))) }
    /// A tool result answering the call with id `callID`.
    public static func tool(callID: String, name: String? = nil, content: String) -> ChatMessage {
        .tool(content: .text(content), toolCallID: callID, name: name)
    }

    /// The wire role: `system`, `user`, `assistant` or `tool`.
    public var role: String {
        switch self {
        case .system: "system"
        case .user: "user"
        case .assistant: "assistant"
        case .tool: "tool"
        }
    }

    /// The message content, if any.
    public var content: MessageContent? {
        switch self {
        case .system(let content): content
        case .user(let content): content
        case .assistant(let message): message.content
        case .tool(let content, _, _): content
        }
    }
}

/// An assistant turn: content, tool calls, and whether it is a prefix to continue.
public struct AssistantMessage: Sendable, Hashable, Codable {
    /// The content text.
    public var content: MessageContent?
    /// Tool calls the model asked for.
    public var toolCalls: [ToolCall]?
    /// When true on the last message, the model continues this text instead of starting anew.
    public var prefix: Bool?

    public init(content: MessageContent? = nil, toolCalls: [ToolCall]? = nil, prefix: Bool? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.prefix = prefix
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case role, content
        case toolCalls = "tool_calls"
        case prefix
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        content = try container.decodeIfPresent(MessageContent.self, forKey: .content)
        toolCalls = try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
        prefix = try container.decodeIfPresent(Bool.self, forKey: .prefix)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("assistant", forKey: .role)
        if let content {
            try container.encode(content, forKey: .content)
        } else {
            try container.encodeNil(forKey: .content)
        }
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(prefix, forKey: .prefix)
    }
}

extension ChatMessage: Codable {
    /// Every member name a message of any role may carry on the wire.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case role, content
        case toolCalls = "tool_calls"
        case prefix
        case toolCallID = "tool_call_id"
        case name
    }

    /// The member names Mistral accepts for each role (its schemas forbid any other).
    public static let allowedKeys: [String: Set<String>] = [
        "system": ["role", "content"],
        "user": ["role", "content"],
        "assistant": ["role", "content", "tool_calls", "prefix"],
        "tool": ["role", "content", "tool_call_id", "name"],
    ]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let role = try container.decode(String.self, forKey: .role)
        switch role {
        case "system":
            self = .system(content: try container.decode(MessageContent.self, forKey: .content))
        case "user":
            self = .user(content: try container.decodeIfPresent(MessageContent.self, forKey: .content))
        case "assistant":
            self = .assistant(try AssistantMessage(from: decoder))
        case "tool":
            self = .tool(
                content: try container.decodeIfPresent(MessageContent.self, forKey: .content),
                toolCallID: try container.decodeIfPresent(String.self, forKey: .toolCallID),
                name: try container.decodeIfPresent(String.self, forKey: .name))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .role, in: container,
                debugDescription: "Unknown role '\(role)': expected system, user, assistant or tool.")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .assistant(let message) = self {
            try message.encode(to: encoder)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        switch self {
        case .system(let content):
            try container.encode(content, forKey: .content)
        case .user(let content):
            if let content { try container.encode(content, forKey: .content) } else { try container.encodeNil(forKey: .content) }
        case .tool(let content, let toolCallID, let name):
            if let content { try container.encode(content, forKey: .content) } else { try container.encodeNil(forKey: .content) }
            try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
            try container.encodeIfPresent(name, forKey: .name)
        case .assistant:
            break
        }
    }
}
