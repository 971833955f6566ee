/// Reads the body of a Mistral chat-completions request (the JSON sent to
/// `POST /v1/chat/completions`) into a ``ChatRequest``.
///
/// Only what the model sees is read: messages, tools, `reasoning_effort` and `response_format`;
/// sampling and routing fields (`model`, `temperature`, `max_tokens`, `stream`, ...) are ignored,
/// as are message fields that do not reach the prompt. Every refusal names the JSON path of the
/// offending value (`messages[2].tool_calls[0].function.arguments`), so a person can fix the file.
struct MistralWireReader {
    /// Chunk types of Mistral's API (and mistral-common) that carry images, audio, documents or
    /// citations: real requests, but not something a text tokenizer can count.
    static let uncountableChunkTypes: Set<String> = [
        "image_url", "image", "input_audio", "audio_url", "document_url", "file", "reference", "tool_reference",
    ]

    func request(_ root: OrderedJSON) throws(TokenizerError) -> ChatRequest {
        guard case .object = root else { throw invalid("the request must be a JSON object, not \(describe(root))") }
        let messagesValue = try required(root, "messages", "an array of messages", at: "")
        guard case .array(let messageValues) = messagesValue else {
            throw invalid("messages must be an array of messages, not \(describe(messagesValue))")
        }
        var messages: [ChatRequest.Message] = []
        for (index, value) in messageValues.enumerated() {
            messages.append(try message(value, at: "messages[\(index)]"))
        }
        return ChatRequest(
            messages: messages,
            tools: try tools(root["tools"]),
            reasoningEffort: try reasoningEffort(root["reasoning_effort"]),
            responseFormat: try responseFormat(root["response_format"]))
    }

    // MARK: Messages

    private func message(_ value: OrderedJSON, at path: String) throws(TokenizerError) -> ChatRequest.Message {
        try expectObject(value, "a message object", at: path)
        let roleName = try string(try required(value, "role", "a string", at: path), at: "\(path).role")
        guard let role = ChatRequest.Message.Role(rawValue: roleName) else {
            throw invalid("\(path).role \"\(roleName)\" is not one of system, user, assistant, tool")
        }
        let content = try self.content(value["content"], at: "\(path).content")
        switch role {
        case .assistant:
            return ChatRequest.Message(
                role: .assistant, content: content, toolCalls: try toolCalls(value["tool_calls"], at: "\(path).tool_calls"),
                isPrefix: try optionalBool(value["prefix"], at: "\(path).prefix") ?? false)
        case .tool:
            guard let content else { throw invalid("\(path).content is missing; a tool message needs content") }
            return ChatRequest.Message(
                role: .tool, content: content,
                toolCallID: try optionalString(value["tool_call_id"], at: "\(path).tool_call_id"),
                name: try optionalString(value["name"], at: "\(path).name"))
        case .system, .user:
            guard let content else { throw invalid("\(path).content is missing; a \(role.rawValue) message needs content") }
            return ChatRequest.Message(role: role, content: content)
        }
    }

    /// A string, a list of chunks, or `nil` for null or absent content.
    private func content(_ value: OrderedJSON?, at path: String) throws(TokenizerError) -> ChatRequest.MessageContent? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return .text(text)
        case .array(let chunkValues)?:
            var chunks: [ChatRequest.ContentChunk] = []
            for (index, chunk) in chunkValues.enumerated() {
                chunks.append(try self.chunk(chunk, at: "\(path)[\(index)]"))
            }
            return .chunks(chunks)
        case let other?:
            throw invalid("\(path) must be a string, null or an array of chunks, not \(describe(other))")
        }
    }

    private func chunk(_ value: OrderedJSON, at path: String) throws(TokenizerError) -> ChatRequest.ContentChunk {
        let type = try chunkType(value, at: path)
        switch type {
        case "text":
            return .text(try string(try required(value, "text", "a string", at: path), at: "\(path).text"))
        case "thinking":
            let thinking = try thinkingText(try required(value, "thinking", "a string or an array of text chunks", at: path), at: "\(path).thinking")
            return .thinking(thinking, closed: try optionalBool(value["closed"], at: "\(path).closed") ?? true)
        default:
            throw chunkTypeError(type, at: path)
        }
    }

    /// The `thinking` of a thinking chunk: a string (mistral-common's form) or a list of text
    /// chunks (Mistral's API form), whose texts are concatenated as the API streams them.
    private func thinkingText(_ value: OrderedJSON, at path: String) throws(TokenizerError) -> String {
        switch value {
        case .string(let text): return text
        case .array(let parts):
            var text = ""
            for (index, part) in parts.enumerated() {
                let partPath = "\(path)[\(index)]"
                let type = try chunkType(part, at: partPath)
                guard type == "text" else {
                    if MistralWireReader.uncountableChunkTypes.contains(type) || type == "thinking" {
                        throw invalid("\(partPath) is a chunk of type \"\(type)\"; thinking can only hold text chunks")
                    }
                    throw chunkTypeError(type, at: partPath)
                }
                text += try string(try required(part, "text", "a string", at: partPath), at: "\(partPath).text")
            }
            return text
        default:
            throw invalid("\(path) must be a string or an array of text chunks, not \(describe(value))")
        }
    }

    private func chunkType(_ value: OrderedJSON, at path: String) throws(TokenizerError) -> String {
        try expectObject(value, "a chunk object with a \"type\"", at: path)
        return try string(try required(value, "type", "a string", at: path), at: "\(path).type")
    }

    private func chunkTypeError(_ type: String, at path: String) -> TokenizerError {
        if MistralWireReader.uncountableChunkTypes.contains(type) {
            return TokenizerError(.unsupportedFeature, "\(path) is a chunk of type \"\(type)\"; only text and thinking chunks can be tokenized")
        }
        return invalid("\(path).type \"\(type)\" is not a known chunk type (text, thinking)")
    }

    private func toolCalls(_ value: OrderedJSON?, at path: String) throws(TokenizerError) -> [ChatRequest.ToolCall] {
        var calls: [ChatRequest.ToolCall] = []
        for (callPath, call, function) in try functionEntries(value, "tool call", holding: "name and arguments", at: path) {
            let name = try string(try required(function, "name", "a string", at: "\(callPath).function"), at: "\(callPath).function.name")
            // Unlike other fields, null arguments mean something ("{}"); only absent ones are missing.
            guard let arguments = function["arguments"] else {
                throw invalid("\(callPath).function.arguments is missing; it must be a JSON string or object")
            }
            calls.append(ChatRequest.ToolCall(
                id: try optionalString(call["id"], at: "\(callPath).id") ?? "null", name: name,
                arguments: try argumentsText(arguments, at: "\(callPath).function.arguments")))
        }
        return calls
    }

    /// mistral-common's `FunctionCall.validate_arguments`: a string as is, an object serialised
    /// (`json.dumps`), null as `"{}"`. The object is written with `ensure_ascii=False` rather than
    /// `json.dumps`'s default escapes: rendering re-serialises arguments that way anyway, so the
    /// tokens are the same.
    private func argumentsText(_ value: OrderedJSON, at path: String) throws(TokenizerError) -> String {
        switch value {
        case .string(let text): return text
        case .object: return value.pythonJSON
        case .null: return "{}"
        default: throw invalid("\(path) must be a JSON string or object, not \(describe(value))")
        }
    }

    // MARK: Tools and settings

    private func tools(_ value: OrderedJSON?) throws(TokenizerError) -> [ChatRequest.Tool] {
        var tools: [ChatRequest.Tool] = []
        for (path, _, function) in try functionEntries(value, "tool", holding: "name, description and parameters", at: "tools") {
            tools.append(ChatRequest.Tool(
                name: try string(try required(function, "name", "a string", at: "\(path).function"), at: "\(path).function.name"),
                description: try optionalString(function["description"], at: "\(path).function.description") ?? "",
                parameters: try requiredObject(function, "parameters", "a JSON schema object", at: "\(path).function")))
        }
        return tools
    }

    /// The entries of a `tools` or `tool_calls` array, each with its path and its `function`
    /// object; an entry's `type` may be left out, and must otherwise be `function`.
    private func functionEntries(
        _ value: OrderedJSON?, _ entry: String, holding fields: String, at path: String
    ) throws(TokenizerError) -> [(path: String, entry: OrderedJSON, function: OrderedJSON)] {
        guard let values = try optionalArray(value, "an array of \(entry)s", at: path) else { return [] }
        var entries: [(path: String, entry: OrderedJSON, function: OrderedJSON)] = []
        for (index, value) in values.enumerated() {
            let entryPath = "\(path)[\(index)]"
            try expectObject(value, "a \(entry) object", at: entryPath)
            if let type = try optionalString(value["type"], at: "\(entryPath).type"), type != "function" {
                throw TokenizerError(.unsupportedFeature, "\(entryPath).type \"\(type)\" cannot be tokenized; only \"function\" \(entry)s can")
            }
            entries.append((entryPath, value, try requiredObject(value, "function", "an object with \(fields)", at: entryPath)))
        }
        return entries
    }

    private func reasoningEffort(_ value: OrderedJSON?) throws(TokenizerError) -> ChatRequest.ReasoningEffort? {
        guard let name = try optionalString(value, at: "reasoning_effort") else { return nil }
        guard let effort = ChatRequest.ReasoningEffort(rawValue: name) else {
            let known = ChatRequest.ReasoningEffort.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid("reasoning_effort \"\(name)\" is not one of \(known)")
        }
        return effort
    }

    private func responseFormat(_ value: OrderedJSON?) throws(TokenizerError) -> ChatRequest.ResponseFormat {
        guard let value, value != .null else { return .text }
        try expectObject(value, "an object", at: "response_format")
        switch try optionalString(value["type"], at: "response_format.type") ?? "text" {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            let format = try requiredObject(value, "json_schema", "an object with name and schema", at: "response_format")
            return .jsonSchema(
                name: try string(try required(format, "name", "a string", at: "response_format.json_schema"), at: "response_format.json_schema.name"),
                schema: try requiredObject(format, "schema", "a JSON schema object", at: "response_format.json_schema"),
                strict: try optionalBool(format["strict"], at: "response_format.json_schema.strict") ?? false)
        case let other:
            throw invalid("response_format.type \"\(other)\" is not one of text, json_object, json_schema")
        }
    }

    // MARK: Values

    private func invalid(_ message: String) -> TokenizerError { TokenizerError(.invalidRequest, message) }

    /// The member `key` of `object` at `path`, present and not null; `what` says what it must be.
    private func required(_ object: OrderedJSON, _ key: String, _ what: String, at path: String) throws(TokenizerError) -> OrderedJSON {
        let fullPath = path.isEmpty ? key : "\(path).\(key)"
        guard let value = object[key], value != .null else { throw invalid("\(fullPath) is missing; it must be \(what)") }
        return value
    }

    /// The member `key` of `object` at `path`, which must be a JSON object (`what` describes it).
    private func requiredObject(_ object: OrderedJSON, _ key: String, _ what: String, at path: String) throws(TokenizerError) -> OrderedJSON {
        let value = try required(object, key, what, at: path)
        try expectObject(value, what, at: path.isEmpty ? key : "\(path).\(key)")
        return value
    }

    private func expectObject(_ value: OrderedJSON, _ what: String, at path: String) throws(TokenizerError) {
        guard case .object = value else { throw invalid("\(path) must be \(what), not \(describe(value))") }
    }

    private func string(_ value: OrderedJSON, at path: String) throws(TokenizerError) -> String {
        guard case .string(let text) = value else { throw invalid("\(path) must be a string, not \(describe(value))") }
        return text
    }

    private func optionalString(_ value: OrderedJSON?, at path: String) throws(TokenizerError) -> String? {
        guard let value, value != .null else { return nil }
        return try string(value, at: path)
    }

    private func optionalBool(_ value: OrderedJSON?, at path: String) throws(TokenizerError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw invalid("\(path) must be true or false, not \(describe(other))")
        }
    }

    private func optionalArray(_ value: OrderedJSON?, _ what: String, at path: String) throws(TokenizerError) -> [OrderedJSON]? {
        switch value {
        case nil, .null?: return nil
        case .array(let values)?: return values
        case let other?: throw invalid("\(path) must be \(what), not \(describe(other))")
        }
    }

    /// What a value is, for error messages: "a number", "an object", ...
    private func describe(_ value: OrderedJSON?) -> String {
        switch value {
        case nil: return "missing"
        case .null?: return "null"
        case .bool?: return "a boolean"
        case .integer?, .float?: return "a number"
        case .string(let text)?: return "the string \"\(text.count > 40 ? String(text.prefix(40)) + "..." : text)\""
        case .array?: return "an array"
        case .object?: return "an object"
        }
    }
}
