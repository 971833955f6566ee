internal import MistralTokenizer

extension ChatRequest {
    /// The tokenizer's view of `request`, built from the typed request: what the tokenizer's
    /// reader of the JSON body (`ChatRequest(json:)`) would build from
    /// `JSONCoding.encode(request)`, without writing and parsing that JSON.
    ///
    /// `nil` when the request holds anything that reader refuses or that this mapping does not
    /// take over (a chunk other than text or thinking made of text, a built-in tool, an unknown
    /// reasoning effort or response format, user or tool content that is `nil`, a number JSON
    /// cannot hold): then the caller reads the JSON body, so the reader's refusal and its message
    /// are the same as ever.
    init?(_ request: ChatCompletionRequest) {
        var messages: [Message] = []
        messages.reserveCapacity(request.messages.count)
        for message in request.messages {
            guard let mapped = Message(message) else { return nil }
            messages.append(mapped)
        }
        var tools: [Tool] = []
        for tool in request.tools ?? [] {
            guard tool.type == .function, let function = tool.function, case .object = function.parameters,
                  let parameters = OrderedJSON(function.parameters)
            else { return nil }
            tools.append(Tool(name: function.name, description: function.description ?? "", parameters: parameters))
        }
        var reasoningEffort: ReasoningEffort?
        if let effort = request.reasoningEffort {
            guard let known = ReasoningEffort(rawValue: effort.rawValue) else { return nil }
            reasoningEffort = known
        }
        guard let responseFormat = ResponseFormat(request.responseFormat) else { return nil }
        self.init(messages: messages, tools: tools, reasoningEffort: reasoningEffort, responseFormat: responseFormat)
    }
}

extension ChatRequest.Message {
    /// One wire message; `nil` where the reader would refuse it or look further.
    fileprivate init?(_ message: ChatMessage) {
        switch message {
        case .system(let content):
            guard let content = ChatRequest.MessageContent(content) else { return nil }
            self.init(role: .system, content: content)
        case .user(let content):
            guard let content, let mapped = ChatRequest.MessageContent(content) else { return nil }
            self.init(role: .user, content: mapped)
        case .assistant(let assistant):
            var content: ChatRequest.MessageContent?
            if let text = assistant.content {
                guard let mapped = ChatRequest.MessageContent(text) else { return nil }
                content = mapped
            }
            var calls: [ChatRequest.ToolCall] = []
            for call in assistant.toolCalls ?? [] {
                guard call.type == nil || call.type == .function else { return nil }
                calls.append(ChatRequest.ToolCall(id: call.id ?? "null", name: call.function.name, arguments: call.function.arguments))
            }
            self.init(role: .assistant, content: content, toolCalls: calls, isPrefix: assistant.prefix ?? false)
        case .tool(let content, let toolCallID, let name):
            guard let content, let mapped = ChatRequest.MessageContent(content) else { return nil }
            self.init(role: .tool, content: mapped, toolCallID: toolCallID, name: name)
        }
    }
}

extension ChatRequest.MessageContent {
    /// Text, or chunks that are text or thinking made of text; `nil` for any other chunk.
    fileprivate init?(_ content: MistralKit.MessageContent) {
        switch content {
        case .text(let text):
            self = .text(text)
        case .chunks(let chunks):
            var mapped: [ChatRequest.ContentChunk] = []
            mapped.reserveCapacity(chunks.count)
            for chunk in chunks {
                switch chunk {
                case .text(let text):
                    mapped.append(.text(text))
                case .thinking(let thinking):
                    // The reader joins the texts of a thinking chunk's parts, which must all be text.
                    var text = ""
                    for part in thinking.thinking {
                        guard case .text(let partText) = part else { return nil }
                        text += partText
                    }
                    mapped.append(.thinking(text, closed: thinking.closed ?? true))
                default:
                    return nil
                }
            }
            self = .chunks(mapped)
        }
    }
}

extension ChatRequest.ResponseFormat {
    /// `text` when absent; `nil` for a type the reader refuses or a schema it would look into.
    fileprivate init?(_ format: MistralKit.ResponseFormat?) {
        guard let format else {
            self = .text
            return
        }
        switch format.type {
        case .text: self = .text
        case .jsonObject: self = .jsonObject
        case .jsonSchema:
            guard let schema = format.jsonSchema, case .object = schema.schema, let ordered = OrderedJSON(schema.schema) else { return nil }
            self = .jsonSchema(name: schema.name, schema: ordered, strict: schema.strict ?? false)
        default: return nil
        }
    }
}

extension OrderedJSON {
    /// `value` as its JSON text reads: members in the order `JSONCoding` writes them (by their
    /// UTF-8 bytes), numbers as written and read back. `nil` for what `JSONCoding` leaves to
    /// Foundation's encoder (non-finite numbers, very deep nesting).
    fileprivate init?(_ value: JSONValue, depth: Int = 0) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number):
            // A whole double is written without a fraction and so reads back as an integer.
            guard let text = SortedKeysJSONEncoder.numberText(number), let read = try? OrderedJSON(parsing: text) else { return nil }
            self = read
        case .string(let text): self = .string(text)
        case .array(let elements):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { return nil }
            var mapped: [OrderedJSON] = []
            mapped.reserveCapacity(elements.count)
            for element in elements {
                guard let value = OrderedJSON(element, depth: depth + 1) else { return nil }
                mapped.append(value)
            }
            self = .array(mapped)
        case .object(let members):
            guard depth < SortedKeysJSONEncoder.maximumDepth else { return nil }
            var mapped: [Member] = []
            mapped.reserveCapacity(members.count)
            for key in members.keys.sorted(by: SortedKeysJSONEncoder.utf8Precedes) {
                guard let value = OrderedJSON(members[key]!, depth: depth + 1) else { return nil }
                mapped.append(Member(key, value))
            }
            self = .object(mapped)
        }
    }
}
