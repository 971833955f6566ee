extension ChatRequest {
    /// A function the model may call, as offered in `[AVAILABLE_TOOLS]`.
    public struct Tool: Sendable, Hashable {
        /// The function's name (`^[a-zA-Z0-9_-]{1,64}$`).
        public var name: String
        /// What the function does, for the model.
        public var description: String
        /// The JSON schema of the arguments, rendered key for key in the order given.
        public var parameters: OrderedJSON

        /// Creates a tool. `parameters` is a JSON schema object; build it with
        /// ``OrderedJSON/init(parsing:)`` to keep a schema's key order.
        public init(name: String, description: String = "", parameters: OrderedJSON = .object([])) {
            self.name = name
            self.description = description
            self.parameters = parameters
        }

        /// `{"type": "function", "function": {"name": ..., "description": ..., "parameters": ...}}`,
        /// mistral-common's `Tool.model_dump` without `strict`.
        var renderedJSON: OrderedJSON {
            .object([
                .init("type", .string("function")),
                .init("function", .object([
                    .init("name", .string(name)),
                    .init("description", .string(description)),
                    .init("parameters", parameters),
                ])),
            ])
        }
    }
}
