import Foundation

/// A chat request as the model sees it: the conversation, the tools on offer and, for v15
/// models, the settings rendered into the prompt.
///
/// This module's own type, so it stays free of MistralKit. Its parts are nested
/// (``Message``, ``Tool``, ``ToolCall``, ...), so a file can import MistralKit, whose wire models
/// have the same short names, alongside this module. ``init(json:)-(Data)`` reads the JSON body
/// of a Mistral API request.
public struct ChatRequest: Sendable, Hashable {
    /// The conversation, oldest first.
    public var messages: [Message]
    /// The functions the model may call.
    public var tools: [Tool]
    /// How much a v15 model should reason; earlier versions refuse a value here.
    public var reasoningEffort: ReasoningEffort?
    /// The answer's format; v15 models see its schema.
    public var responseFormat: ResponseFormat

    /// Creates a request.
    public init(
        messages: [Message], tools: [Tool] = [], reasoningEffort: ReasoningEffort? = nil,
        responseFormat: ResponseFormat = .text
    ) {
        self.messages = messages
        self.tools = tools
        self.reasoningEffort = reasoningEffort
        self.responseFormat = responseFormat
    }

    /// Reads the JSON body of a Mistral chat-completions request (`POST /v1/chat/completions`),
    /// so a request file can be counted exactly as it would be sent.
    ///
    /// Reads `messages` (content as a string, null, or `text` and `thinking` chunks; assistant
    /// `tool_calls` with arguments as a JSON string or object, and `prefix`; tool messages'
    /// `tool_call_id` and `name`), `tools`, `reasoning_effort` and `response_format`. Fields that
    /// do not reach the prompt (`model`, `temperature`, `max_tokens`, ...) are ignored.
    ///
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/invalidRequest`` for text that
    ///   is not JSON or a value of the wrong type, a missing or unknown role, and the like, naming
    ///   the JSON path (`messages[1].role`); ``TokenizerError/Kind/unsupportedFeature`` for image,
    ///   audio, document and citation chunks and for built-in tools (`web_search`, ...), which
    ///   mistral-common cannot render either.
    public init(json data: Data) throws {
        let root = try data.withUnsafeBytes { bytes throws(TokenizerError) in
            var scanner = JSONScanner(bytes)
            return try scanner.parseDocument()
        }
        self = try MistralWireReader().request(root)
    }

    /// Reads an already parsed Mistral chat-completions request body; see
    /// ``init(json:)-(Data)``.
    ///
    /// - Throws: what ``init(json:)-(Data)`` throws, except for JSON syntax.
    public init(json value: OrderedJSON) throws {
        self = try MistralWireReader().request(value)
    }
}
