extension ChatRequest {
    /// One message of a conversation.
    ///
    /// Build messages with the role functions: `.system("Be brief.")`, `.user("Hi")`,
    /// `.assistant("Hello")`, `.assistant(toolCalls: [...])`, `.tool("{\"ok\": true}", callID: "abc123XYZ")`.
    public struct Message: Sendable, Hashable {
        /// Who speaks.
        public enum Role: String, Sendable, Hashable {
            /// Instructions for the model.
            case system
            /// The person talking to the model.
            case user
            /// The model.
            case assistant
            /// The result of a tool call.
            case tool
        }

        /// Who speaks.
        public var role: Role
        /// What is said; `nil` for an assistant message that only calls tools.
        public var content: MessageContent?
        /// The calls an assistant message makes.
        public var toolCalls: [ToolCall]
        /// For a tool message: the id of the call it answers.
        public var toolCallID: String?
        /// For a tool message: the function's name (v2 renders it).
        public var name: String?
        /// For a final assistant message: the start of the answer the model should continue, so no
        /// end-of-sequence token follows it.
        public var isPrefix: Bool

        /// Creates a message; the role functions below are usually clearer.
        public init(
            role: Role, content: MessageContent?, toolCalls: [ToolCall] = [], toolCallID: String? = nil,
            name: String? = nil, isPrefix: Bool = false
        ) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
            self.toolCallID = toolCallID
            self.name = name
            self.isPrefix = isPrefix
        }

        /// A system prompt.
        public static func system(_ content: MessageContent) -> Message {
            Message(role: .system, content: content)
        }

        /// A user turn.
        public static func user(_ content: MessageContent) -> Message {
            Message(role: .user, content: content)
        }

        /// An assistant turn: text, tool calls, or (from v7) both; `prefix` marks a final message
        /// the model should continue.
        public static func assistant(_ content: MessageContent? = nil, toolCalls: [ToolCall] = [], prefix: Bool = false) -> Message {
            Message(role: .assistant, content: content, toolCalls: toolCalls, isPrefix: prefix)
        }

        /// A tool result answering the call `callID`.
        public static func tool(_ content: MessageContent, callID: String?, name: String? = nil) -> Message {
            Message(role: .tool, content: content, toolCallID: callID, name: name)
        }
    }
}
