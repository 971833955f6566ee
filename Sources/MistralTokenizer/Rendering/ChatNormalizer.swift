/// Turns a ``ChatRequest`` into an ``InstructRequest`` the way mistral-common's
/// `InstructRequestNormalizer` (and its v7, v13 and v15 variants) do.
struct ChatNormalizer {
    let version: TokenizerVersion
    let settingsBuilder: ModelSettingsBuilder?

    private var messageSeparator: String { "\n\n" }
    /// Text chunks of one message are joined with a blank line before v15 and directly from v15.
    private var chunkSeparator: String { version >= .v15 ? "" : "\n\n" }

    func normalize(_ request: ChatRequest) throws(TokenizerError) -> InstructRequest {
        let systemPrompt = version >= .v7 ? nil : try aggregateSystemPrompts(request.messages)
        let messages = try aggregateMessages(request.messages)
        var settings = ModelSettings.none
        if version >= .v15 {
            guard let settingsBuilder else {
                throw TokenizerError(.unsupportedFeature, "a v15 tokenizer needs a model_settings_builder in its file")
            }
            settings = try settingsBuilder.settings(for: request)
        }
        return InstructRequest(messages: messages, systemPrompt: systemPrompt, tools: request.tools, settings: settings)
    }

    /// Coalesces text across messages (joined by a blank line) and within a message (joined by
    /// ``chunkSeparator``); the result is a plain string unless a non-text chunk remains.
    func aggregate(_ contents: [ChatRequest.MessageContent?]) -> ChatRequest.MessageContent {
        var chunks: [ChatRequest.ContentChunk] = []
        var text: [String] = []
        func flush() {
            if !text.isEmpty {
                chunks.append(.text(text.joined()))
                text.removeAll()
            }
        }
        for content in contents {
            var needsMessageSeparator = !text.isEmpty
            guard let content, !content.isEmpty else { continue }
            switch content {
            case .text(let string):
                text.append((needsMessageSeparator ? messageSeparator : "") + string)
            case .chunks(let list):
                for chunk in list {
                    switch chunk {
                    case .text(let string):
                        if string.isEmpty { continue }
                        let separator = text.isEmpty ? "" : (needsMessageSeparator ? messageSeparator : chunkSeparator)
                        text.append(separator + string)
                        needsMessageSeparator = false
                    case .thinking:
                        flush()
                        chunks.append(chunk)
                    }
                }
            }
        }
        if chunks.isEmpty { return .text(text.joined()) }
        flush()
        return .chunks(chunks)
    }

    private func aggregateSystemPrompts(_ messages: [ChatRequest.Message]) throws(TokenizerError) -> String? {
        var prompts: [String] = []
        for message in messages where message.role == .system {
            guard let content = message.content, !content.isEmpty else { continue }
            guard case .text(let text) = aggregate([content]) else {
                throw TokenizerError(.invalidRequest, "system prompts before v7 can only hold text")
            }
            prompts.append(text)
        }
        return prompts.isEmpty ? nil : prompts.joined(separator: messageSeparator)
    }

    private func aggregateMessages(_ messages: [ChatRequest.Message]) throws(TokenizerError) -> [ChatRequest.Message] {
        var aggregated: [ChatRequest.Message] = []
        var group: [ChatRequest.Message] = []
        var latestCallIDs: [String] = []
        var currentRole: ChatRequest.Message.Role?

        func closeGroup() throws(TokenizerError) {
            guard let role = currentRole else { return }
            aggregated.append(contentsOf: try aggregateGroup(group, role: role, latestCallIDs: latestCallIDs))
            if role == .assistant, let last = aggregated.last {
                latestCallIDs.append(contentsOf: last.toolCalls.map(\.id))
            } else if role == .tool {
                latestCallIDs.removeAll()
            }
            group.removeAll()
        }

        for message in messages {
            if currentRole != message.role {
                try closeGroup()
                currentRole = message.role
            }
            group.append(message)
        }
        try closeGroup()
        if aggregated.isEmpty || (version < .v7 && aggregated[0].role != .user) {
            aggregated.insert(.user(""), at: 0)
        }
        return aggregated
    }

    private func aggregateGroup(
        _ group: [ChatRequest.Message], role: ChatRequest.Message.Role, latestCallIDs: [String]
    ) throws(TokenizerError) -> [ChatRequest.Message] {
        switch role {
        case .user:
            return [.user(aggregate(group.map(\.content)))]
        case .system:
            // Before v7 the prompt lives in InstructRequest.systemPrompt instead.
            guard version >= .v7 else { return [] }
            return group.map { .system(aggregate([$0.content])) }
        case .assistant:
            var toolCalls: [ChatRequest.ToolCall] = []
            var prefix = false
            for message in group {
                if version < .v7, !message.toolCalls.isEmpty, let content = message.content, !content.isEmpty {
                    throw TokenizerError(.invalidRequest, "tool calls and content cannot be used together in the same message before v7")
                }
                toolCalls += message.toolCalls.map { call in
                    ChatRequest.ToolCall(id: call.id, name: call.name, arguments: ChatNormalizer.normalizedJSONText(call.arguments))
                }
                prefix = prefix || message.isPrefix
            }
            return [.assistant(aggregate(group.map(\.content)), toolCalls: toolCalls, prefix: prefix)]
        case .tool:
            var results: [ChatRequest.Message] = []
            for message in group {
                var content = aggregate([message.content])
                if version < .v15 {
                    guard case .text(let text) = content else {
                        throw TokenizerError(.invalidRequest, "tool results can only hold text before v15")
                    }
                    if version < .v7 { content = .text(ChatNormalizer.normalizedJSONText(text)) }
                }
                results.append(.tool(content, callID: message.toolCallID, name: message.name))
            }
            if version >= .v11 { sortToolResults(&results, by: latestCallIDs) }
            return results
        }
    }

    /// From v11 tool results follow the order of the calls they answer (stable otherwise).
    private func sortToolResults(_ results: inout [ChatRequest.Message], by callIDs: [String]) {
        var callIndex: [String: Int] = [:]
        for (index, id) in callIDs.enumerated() { callIndex[id] = index }
        var resultIndex: [String?: Int] = [:]
        for (index, result) in results.enumerated() { resultIndex[result.toolCallID] = index }
        let keyed = results.enumerated().map { offset, result in
            (call: callIndex[result.toolCallID ?? "null"] ?? Int.max, result: resultIndex[result.toolCallID]!, offset: offset, message: result)
        }
        results = keyed.sorted { ($0.call, $0.result, $0.offset) < ($1.call, $1.result, $1.offset) }.map(\.message)
    }

    /// `json.dumps(json.loads(text), ensure_ascii=False)`, `"{}"` for empty text, and the text
    /// itself when it is not JSON.
    static func normalizedJSONText(_ text: String) -> String {
        if text.isEmpty { return "{}" }
        guard let value = try? OrderedJSON(parsing: text) else { return text }
        return value.pythonJSON
    }

    /// `json.loads(text)`, or the text as a JSON string when it is not JSON.
    static func parsedJSONOrString(_ text: String) -> OrderedJSON {
        (try? OrderedJSON(parsing: text)) ?? .string(text)
    }
}
