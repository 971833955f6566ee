/// A tool the model may use: a function you implement, or one of Mistral's built-in tools
/// (web search, code interpreter, image generation, document library, connectors).
public struct Tool: Sendable, Hashable, Codable {
    /// The wire `type` discriminator.
    public var type: ToolType
    /// The function's name, description and JSON Schema; only for `function` tools.
    public var function: FunctionDefinition?
    /// Libraries to search; only for `document_library` tools.
    public var libraryIDs: [String]?
    /// The connector to call; only for `connector` tools.
    public var connectorID: String?
    /// Credentials for a connector (`{type: "api-key"|"oauth2-token", ...}`), passed through.
    public var authorization: JSONValue?
    /// Built-in tool settings, passed through unchanged.
    public var toolConfiguration: JSONValue?

    public init(
        type: ToolType, function: FunctionDefinition? = nil, libraryIDs: [String]? = nil,
        connectorID: String? = nil, authorization: JSONValue? = nil, toolConfiguration: JSONValue? = nil
    ) {
        self.type = type
        self.function = function
        self.libraryIDs = libraryIDs
        self.connectorID = connectorID
        self.authorization = authorization
        self.toolConfiguration = toolConfiguration
    }

    /// A function tool: the model may call `name` with arguments matching `parameters`.
    public static func function(
        name: String, description: String? = nil, parameters: JSONValue, strict: Bool? = nil
    ) -> Tool {
        Tool(type: .function, function: FunctionDefinition(name: name, description: description, parameters: parameters, strict: strict))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, function
        case libraryIDs = "library_ids"
        case connectorID = "connector_id"
        case authorization
        case toolConfiguration = "tool_configuration"
    }

    /// The member names Mistral accepts for each tool type.
    public static let allowedKeys: [String: Set<String>] = [
        "function": ["type", "function"],
        "web_search": ["type", "tool_configuration"],
        "web_search_premium": ["type", "tool_configuration"],
        "code_interpreter": ["type", "tool_configuration"],
        "image_generation": ["type", "tool_configuration"],
        "document_library": ["type", "tool_configuration", "library_ids"],
        "connector": ["type", "connector_id", "authorization", "tool_configuration"],
    ]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(ToolType.self, forKey: .type) ?? .function
        function = try container.decodeIfPresent(FunctionDefinition.self, forKey: .function)
        libraryIDs = try container.decodeIfPresent([String].self, forKey: .libraryIDs)
        connectorID = try container.decodeIfPresent(String.self, forKey: .connectorID)
        authorization = try container.decodeIfPresent(JSONValue.self, forKey: .authorization)
        toolConfiguration = try container.decodeIfPresent(JSONValue.self, forKey: .toolConfiguration)
    }
}

/// A function's name, purpose and JSON Schema for its arguments.
public struct FunctionDefinition: Sendable, Hashable, Codable {
    /// Must match `^[a-zA-Z0-9_-]{1,64}$`.
    public var name: String
    public var description: String?
    /// A JSON Schema object describing the arguments.
    public var parameters: JSONValue
    /// Ask the server to enforce the schema exactly.
    public var strict: Bool?

    public init(name: String, description: String? = nil, parameters: JSONValue, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, parameters, strict
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable {
    /// `auto`, `none`, `any` or `required` (other strings are kept).
    case mode(Mode)
    /// Force a call to the named function.
    case function(name: String)

    public static let auto = ToolChoice.mode(.auto)
    public static let none = ToolChoice.mode(.none)
    public static let any = ToolChoice.mode(.any)
    public static let required = ToolChoice.mode(.required)

    /// The string form of a tool choice.
    public struct Mode: ExtensibleEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let auto: Self = "auto"
        public static let none: Self = "none"
        public static let any: Self = "any"
        public static let required: Self = "required"
    }
}

extension ToolChoice: Codable {
    private struct Named: Codable, Hashable {
        var type: ToolType = .function
        var function: Name
        struct Name: Codable, Hashable { var name: String }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let mode = try? container.decode(String.self) {
            self = .mode(Mode(rawValue: mode))
        } else {
            self = .function(name: try container.decode(Named.self).function.name)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .mode(let mode): try container.encode(mode)
        case .function(let name): try container.encode(Named(function: .init(name: name)))
        }
    }
}
