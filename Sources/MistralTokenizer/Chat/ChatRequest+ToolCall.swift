extension ChatRequest {
    /// A function call the assistant made.
    public struct ToolCall: Sendable, Hashable {
        /// The call's id. v3 to v11 require nine ASCII letters or digits; v13 and later any
        /// non-empty id other than `"null"`, which is also the default meaning "no id".
        public var id: String
        /// The function's name (`^[a-zA-Z0-9_-]{1,64}$`).
        public var name: String
        /// The arguments as JSON text; like mistral-common, text that is not JSON is kept verbatim.
        public var arguments: String

        /// Creates a call of `name` with `arguments` (JSON text) and the given id.
        public init(id: String = "null", name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }
}
