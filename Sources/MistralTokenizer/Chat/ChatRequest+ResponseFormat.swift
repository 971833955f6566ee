extension ChatRequest {
    /// The shape the answer must take; v15 models see its JSON schema in `[MODEL_SETTINGS]`.
    public enum ResponseFormat: Sendable, Hashable {
        /// Free text (the default).
        case text
        /// Any JSON object or array.
        case jsonObject
        /// JSON following `schema`.
        case jsonSchema(name: String, schema: OrderedJSON, strict: Bool = false)

        /// The schema mistral-common encodes in model settings, `nil` for text.
        var modelSettingsSchema: OrderedJSON? {
            switch self {
            case .text: return nil
            case .jsonObject:
                return .object([.init("anyOf", .array([
                    .object([.init("type", .string("object"))]),
                    .object([.init("type", .string("array"))]),
                ]))])
            case .jsonSchema(_, let schema, _): return schema
            }
        }
    }
}
