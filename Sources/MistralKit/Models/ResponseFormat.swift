/// How the answer must be shaped: free text, any JSON object, or JSON matching a schema.
public struct ResponseFormat: Sendable, Hashable, Codable {
    /// The wire `type` discriminator.
    public var type: Kind
    /// The schema, for `json_schema`.
    public var jsonSchema: JSONSchemaFormat?

    public init(type: Kind, jsonSchema: JSONSchemaFormat? = nil) {
        self.type = type
        self.jsonSchema = jsonSchema
    }

    /// Plain text (the default).
    public static let text = ResponseFormat(type: .text)
    /// Any valid JSON object. Mention "JSON" in the prompt, as Mistral advises.
    public static let jsonObject = ResponseFormat(type: .jsonObject)
    /// JSON that matches `schema`.
    public static func jsonSchema(name: String, schema: JSONValue, description: String? = nil, strict: Bool? = true)
        -> ResponseFormat
    {
        ResponseFormat(type: .jsonSchema, jsonSchema: JSONSchemaFormat(name: name, description: description, schema: schema, strict: strict))
    }

    /// `text`, `json_object` or `json_schema`.
    public struct Kind: ExtensibleEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let text: Self = "text"
        public static let jsonObject: Self = "json_object"
        public static let jsonSchema: Self = "json_schema"
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type
        case jsonSchema = "json_schema"
    }
}

/// A named JSON Schema for structured output.
public struct JSONSchemaFormat: Sendable, Hashable, Codable {
    /// The name.
    public var name: String
    public var description: String?
    /// The JSON Schema the output must match.
    public var schema: JSONValue
    /// Ask the server to enforce the schema exactly.
    public var strict: Bool?

    public init(name: String, description: String? = nil, schema: JSONValue, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.schema = schema
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, schema, strict
    }
}
