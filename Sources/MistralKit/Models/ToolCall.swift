/// A function call the model asked for.
///
/// `arguments` is always held as a JSON string, as Mistral returns it; requests may carry an
/// object on the wire, which is decoded into its JSON text.
public struct ToolCall: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String?
    /// The wire `type` discriminator.
    public var type: ToolType?
    public var function: FunctionCall
    /// Position of the call in a streamed turn; calls are merged by it.
    public var index: Int?

    public init(id: String? = nil, type: ToolType? = .function, function: FunctionCall, index: Int? = nil) {
        self.id = id
        self.type = type
        self.function = function
        self.index = index
    }

    /// The name and the JSON-encoded arguments of a call.
    public struct FunctionCall: Sendable, Hashable, Codable {
        /// The name.
        public var name: String
        public var arguments: String

        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }

        private enum CodingKeys: String, CodingKey { case name, arguments }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            if let text = try? container.decode(String.self, forKey: .arguments) {
                arguments = text
            } else if let object = try container.decodeIfPresent(JSONValue.self, forKey: .arguments) {
                arguments = object.jsonString
            } else {
                arguments = ""
            }
        }

        /// The arguments parsed as JSON; throws `DecodingError` when the model produced invalid JSON.
        public func decodedArguments() throws -> JSONValue {
            try JSONCoding.decode(JSONValue.self, from: Array(arguments.utf8))
        }
    }
}

/// The kind of a tool: `function` and Mistral's built-in tools; other values are kept.
public struct ToolType: ExtensibleEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let function: Self = "function"
    public static let webSearch: Self = "web_search"
    public static let webSearchPremium: Self = "web_search_premium"
    public static let codeInterpreter: Self = "code_interpreter"
    public static let imageGeneration: Self = "image_generation"
    public static let documentLibrary: Self = "document_library"
    public static let connector: Self = "connector"
}
