/// Renders an ``InstructRequest`` into token ids with each version's syntax, following
/// mistral-common's `InstructTokenizerV1` ... `InstructTokenizerV15` method by method.
struct ChatRenderer {
    let tokenizer: Tokenizer
    var version: TokenizerVersion { tokenizer.version }

    private func special(_ name: SpecialTokenName) throws(TokenizerError) -> Int {
        try tokenizer.requiredSpecialTokenID(name)
    }

    private func encode(_ text: String) -> [Int] { tokenizer.encode(text) }

    private func invalid(_ message: String) -> TokenizerError { TokenizerError(.invalidRequest, message) }

    func render(_ request: InstructRequest) throws(TokenizerError) -> [Int] {
        let userIndices = request.messages.indices.filter { request.messages[$0].role == .user }
        let firstUser = userIndices.first ?? -1
        let lastUser = userIndices.last ?? -1
        if version == .v2 { try checkSingleToolResultPerTurn(request.messages, lastUser: lastUser) }
        var tokens = [tokenizer.bosID]
        for (index, message) in request.messages.enumerated() {
            switch message.role {
            case .user:
                tokens += try user(
                    message, tools: request.tools, isFirst: index == firstUser, isLast: index == lastUser,
                    systemPrompt: request.systemPrompt, settings: request.settings)
            case .tool:
                tokens += try tool(message, beforeLastUser: index < lastUser)
            case .assistant:
                tokens += try assistant(message, beforeLastUser: index < lastUser)
            case .system:
                tokens += try system(message)
            }
        }
        return tokens
    }

    // MARK: User

    private func user(
        _ message: ChatRequest.Message, tools: [ChatRequest.Tool], isFirst: Bool, isLast: Bool, systemPrompt: String?,
        settings: ModelSettings
    ) throws(TokenizerError) -> [Int] {
        let content = message.content ?? .text("")
        let prompt = systemPrompt.flatMap { $0.isEmpty ? nil : $0 }
        if version == .v1 {
            guard case .text(var text) = content else { throw invalid("v1 user messages can only hold text") }
            if isFirst, let prompt { text = prompt + "\n\n" + text }
            return encode("[INST] \(text) [/INST]")
        }
        var tokens: [Int] = []
        let rendersToolsHere = version >= .v13 ? isFirst : isLast
        if rendersToolsHere, !tools.isEmpty {
            tokens.append(try special(.beginAvailableTools))
            tokens += encode(OrderedJSON.array(tools.map(\.renderedJSON)).pythonJSON)
            tokens.append(try special(.endAvailableTools))
        }
        if rendersToolsHere, version >= .v15 { tokens += try settingsTokens(settings) }
        tokens.append(try special(.beginInstruction))
        switch content {
        case .text(var text):
            if version < .v7, isLast, let prompt { text = prompt + "\n\n" + text }
            tokens += encode(text)
        case .chunks(let chunks):
            guard version >= .v3 else { throw invalid("\(version) user messages can only hold text") }
            if version < .v7, isLast, let prompt { tokens += encode(prompt + "\n\n") }
            tokens += try chunkTokens(chunks)
        }
        tokens.append(try special(.endInstruction))
        return tokens
    }

    private func settingsTokens(_ settings: ModelSettings) throws(TokenizerError) -> [Int] {
        if settings == .none { return [] }
        return [try special(.beginModelSettings)] + encode(settings.renderedJSON.pythonJSON) + [try special(.endModelSettings)]
    }

    // MARK: System

    private func system(_ message: ChatRequest.Message) throws(TokenizerError) -> [Int] {
        guard version >= .v7 else { throw TokenizerError(.unsupportedFeature, "system messages are only rendered from v7") }
        let chunks: [ChatRequest.ContentChunk]
        switch message.content ?? .text("") {
        case .text(let text): chunks = [.text(text)]
        case .chunks(let list): chunks = list
        }
        if version >= .v15, chunks.contains(where: { if case .thinking = $0 { true } else { false } }) {
            throw invalid("thinking chunks in system messages are not supported by this model")
        }
        return [try special(.beginSystem)] + (try chunkTokens(chunks)) + [try special(.endSystem)]
    }

    // MARK: Tool results

    private func tool(_ message: ChatRequest.Message, beforeLastUser: Bool) throws(TokenizerError) -> [Int] {
        let content = message.content ?? .text("")
        switch version {
        case .v1:
            throw TokenizerError(.unsupportedFeature, "tools are not implemented for tokenizer v1")
        case .v2, .v3:
            if version == .v2, beforeLastUser { return [] }
            guard case .text(let text) = content else { throw invalid("tool results can only hold text before v15") }
            let parsed = ChatNormalizer.parsedJSONOrString(text)
            let result: OrderedJSON
            if version == .v2 {
                result = .array([.object([
                    .init("name", message.name.map(OrderedJSON.string) ?? .null), .init("content", parsed),
                ])])
            } else {
                result = .object([.init("content", parsed), .init("call_id", .string(message.toolCallID ?? ""))])
            }
            return [try special(.beginToolResults)] + encode(result.pythonJSON) + [try special(.endToolResults)]
        case .v7, .v11:
            guard case .text(let text) = content, let id = message.toolCallID else {
                throw invalid("tool results need text content and a tool call id")
            }
            return [try special(.beginToolResults)] + encode(id) + [try special(.beginToolContent)] + encode(text)
                + [try special(.endToolResults)]
        case .v13, .v15:
            let body: [Int]
            switch content {
            case .text(let text): body = encode(text)
            case .chunks(let chunks): body = try chunkTokens(chunks)
            }
            return [try special(.beginToolResults)] + body + [try special(.endToolResults)]
        }
    }

    /// v2 renders one tool result per assistant turn after the last user message.
    private func checkSingleToolResultPerTurn(_ messages: [ChatRequest.Message], lastUser: Int) throws(TokenizerError) {
        var inToolCallTurn = false
        var results = 0
        for (index, message) in messages.enumerated() where index >= lastUser {
            switch message.role {
            case .assistant:
                inToolCallTurn = !message.toolCalls.isEmpty
                results = 0
            case .tool:
                if inToolCallTurn {
                    results += 1
                    if results > 1 {
                        throw TokenizerError(.unsupportedFeature, "tokenizer v2 does not support multiple tool results for one assistant turn")
                    }
                }
            default:
                inToolCallTurn = false
                results = 0
            }
        }
    }

    // MARK: Assistant

    private func assistant(_ message: ChatRequest.Message, beforeLastUser: Bool) throws(TokenizerError) -> [Int] {
        let content = message.content.flatMap { $0.isEmpty ? nil : $0 }
        var tokens: [Int] = []
        switch version {
        case .v1:
            guard message.toolCalls.isEmpty else { throw TokenizerError(.unsupportedFeature, "tools are not implemented for tokenizer v1") }
            guard case .text(let text)? = content else { throw invalid("a v1 assistant message needs text content") }
            tokens = encode(text)
        case .v2, .v3:
            if !message.toolCalls.isEmpty, content != nil {
                throw invalid("cannot have tool calls and content in the same assistant message before v7")
            }
            if !message.toolCalls.isEmpty {
                if version == .v2, beforeLastUser { return [] }
                tokens = try toolCallTokens(message.toolCalls)
            } else if case .text(let text)? = content {
                tokens = encode(ChatRenderer.trimmingTrailingSpaces(text))
            } else {
                throw invalid("an assistant message needs text content or tool calls")
            }
        case .v7, .v11, .v13, .v15:
            guard content != nil || !message.toolCalls.isEmpty else {
                throw invalid("an assistant message needs content or tool calls")
            }
            switch content {
            case .text(let text)?: tokens = encode(ChatRenderer.trimmingTrailingSpaces(text))
            case .chunks(let chunks)?: tokens = try chunkTokens(chunks)
            case nil: break
            }
            if !message.toolCalls.isEmpty { tokens += try toolCallTokens(message.toolCalls) }
        }
        if !message.isPrefix { tokens.append(tokenizer.eosID) }
        return tokens
    }

    private func toolCallTokens(_ calls: [ChatRequest.ToolCall]) throws(TokenizerError) -> [Int] {
        func hasID(_ call: ChatRequest.ToolCall) -> Bool { !call.id.isEmpty && call.id != "null" }
        switch version {
        case .v1:
            throw TokenizerError(.unsupportedFeature, "tools are not implemented for tokenizer v1")
        case .v2, .v3, .v7:
            let rendered = OrderedJSON.array(calls.map { call in
                var members: [OrderedJSON.Member] = [
                    .init("name", .string(call.name)), .init("arguments", ChatNormalizer.parsedJSONOrString(call.arguments)),
                ]
                if version >= .v3, hasID(call) { members.append(.init("id", .string(call.id))) }
                return .object(members)
            })
            return [try special(.toolCalls)] + encode(rendered.pythonJSON)
        case .v11, .v13, .v15:
            var tokens: [Int] = []
            for call in calls {
                tokens.append(try special(.toolCalls))
                tokens += encode(call.name)
                if version == .v11, hasID(call) { tokens += [try special(.callID)] + encode(call.id) }
                tokens.append(try special(.arguments))
                tokens += encode(ChatNormalizer.parsedJSONOrString(call.arguments).pythonJSON)
            }
            return tokens
        }
    }

    // MARK: Chunks

    private func chunkTokens(_ chunks: [ChatRequest.ContentChunk]) throws(TokenizerError) -> [Int] {
        var tokens: [Int] = []
        for chunk in chunks {
            switch chunk {
            case .text(let text):
                tokens += encode(text)
            case .thinking(let thinking, let closed):
                guard version >= .v13 else { throw TokenizerError(.unsupportedFeature, "thinking chunks are only rendered from v13") }
                guard let begin = tokenizer.specialTokenID(.beginThink), let end = tokenizer.specialTokenID(.endThink) else {
                    throw TokenizerError(.unsupportedFeature, "this tokenizer has no [THINK] and [/THINK] tokens")
                }
                tokens.append(begin)
                tokens += encode(thinking)
                if closed { tokens.append(end) }
            }
        }
        return tokens
    }

    /// Python's `text.rstrip(" ")`: only spaces, not other whitespace.
    static func trimmingTrailingSpaces(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
