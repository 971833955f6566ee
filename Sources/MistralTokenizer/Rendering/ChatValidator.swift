/// Rejects the requests mistral-common's request validator rejects (in its default `test` mode),
/// so a request that counts here would also be accepted there.
///
/// Not checked: that tool parameter schemas are valid JSON Schema Draft 7 (mistral-common runs a
/// full schema validator; here any JSON value is accepted).
struct ChatValidator {
    let version: TokenizerVersion

    func validate(_ request: ChatRequest) throws(TokenizerError) {
        let messages = request.messages
        try validateStructure(messages)
        for (index, message) in messages.enumerated() {
            try validateContent(message, isLast: index == messages.count - 1)
        }
        for tool in request.tools where !ChatValidator.isFunctionName(tool.name) {
            throw invalid("function name was \(tool.name) but must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64")
        }
        if version < .v15, let effort = request.reasoningEffort {
            throw invalid("reasoning_effort \(effort.rawValue) is not supported by a \(version) tokenizer")
        }
    }

    private func invalid(_ message: String) -> TokenizerError { TokenizerError(.invalidRequest, message) }

    private func validateStructure(_ messages: [ChatRequest.Message]) throws(TokenizerError) {
        guard let last = messages.last else { throw invalid("conversation must have at least one message") }
        if messages.count == 1, last.role != .user, last.role != .system {
            throw invalid("conversation must start with a user message or system message")
        }
        if messages.count > 1, last.role == .assistant, !last.isPrefix {
            throw invalid("expected last role user or tool (or assistant with prefix) but got assistant")
        }
        for (previous, current) in zip(messages, messages.dropFirst()) {
            let allowed: Set<ChatRequest.Message.Role>
            switch previous.role {
            case .system: allowed = [.user, .assistant, .system]
            case .user: allowed = [.assistant, .system, .user]
            case .assistant: allowed = [.assistant, .user, .tool]
            case .tool: allowed = [.assistant, .tool, .user]
            }
            guard allowed.contains(current.role) else {
                throw invalid("unexpected role '\(current.role.rawValue)' after role '\(previous.role.rawValue)'")
            }
        }
        if version >= .v11 {
            try validateToolCallPairingByID(messages)
        } else {
            var expected = 0
            for message in messages.dropFirst() {
                if message.role == .tool {
                    expected -= 1
                } else if message.role == .assistant {
                    guard expected == 0 else { throw invalid("not the same number of function calls and responses") }
                    expected = message.toolCalls.count
                }
            }
        }
    }

    private func validateToolCallPairingByID(_ messages: [ChatRequest.Message]) throws(TokenizerError) {
        var expected: Set<String?> = []
        var observed: Set<String?> = []
        for message in messages.dropFirst() {
            if message.role == .tool {
                let id = message.toolCallID
                guard !observed.contains(id) else { throw invalid("duplicate tool call id \(id ?? "None") in tool results") }
                guard expected.contains(id) else { throw invalid("unexpected tool call id \(id ?? "None") in tool results") }
                observed.insert(id)
            } else if message.role == .assistant {
                guard expected.count == observed.count else { throw invalid("not the same number of function calls and responses") }
                expected.removeAll()
                observed.removeAll()
                for call in message.toolCalls {
                    guard !expected.contains(call.id) else { throw invalid("duplicate tool call id \(call.id) in assistant message") }
                    expected.insert(call.id)
                }
            }
        }
    }

    private func validateContent(_ message: ChatRequest.Message, isLast: Bool) throws(TokenizerError) {
        switch message.role {
        case .user:
            if hasThinking(message.content) { throw invalid("user messages cannot hold thinking chunks") }
        case .system:
            guard message.content != nil else { throw invalid("system prompt must have content") }
            if hasThinking(message.content), version < .v7 || version >= .v15 {
                throw invalid("system messages cannot hold thinking chunks with a \(version) tokenizer")
            }
        case .assistant:
            if hasThinking(message.content), version < .v11 {
                throw invalid("assistant messages cannot hold thinking chunks before v11")
            }
            let hasContent = !(message.content?.isEmpty ?? true)
            if version < .v7, hasContent == !message.toolCalls.isEmpty {
                throw invalid("assistant message must have either content or tool_calls, but not both")
            }
            for call in message.toolCalls {
                if version >= .v13 {
                    guard !call.id.isEmpty, call.id != "null" else {
                        throw invalid("tool call id must be a non-empty string other than 'null' for tokenizer version 13 or newer")
                    }
                } else if version >= .v3 {
                    guard call.id != "null" else { throw invalid("tool call id 'null' is only allowed for the last assistant message in finetuning mode") }
                    guard ChatValidator.isCallID(call.id) else { throw invalid("tool call id was \(call.id) but must be a-z, A-Z, 0-9, with a length of 9") }
                }
                guard ChatValidator.isFunctionName(call.name) else {
                    throw invalid("function name was \(call.name) but must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64")
                }
            }
            if message.isPrefix, !isLast { throw invalid("assistant message with prefix must be the last message") }
        case .tool:
            if hasThinking(message.content), version < .v15 { throw invalid("tool messages cannot hold thinking chunks") }
            if let name = message.name, !ChatValidator.isFunctionName(name) {
                throw invalid("function name was \(name) but must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64")
            }
            if version >= .v13 {
                guard let id = message.toolCallID, !id.isEmpty, id != "null" else {
                    throw invalid("tool call id must be a non-empty string other than 'null' for tokenizer version 13 or newer")
                }
            } else if version >= .v3 {
                guard let id = message.toolCallID else { throw invalid("tool call id has to be defined") }
                guard ChatValidator.isCallID(id) else { throw invalid("tool call id was \(id) but must be a-z, A-Z, 0-9, with a length of 9") }
            }
        }
    }

    private func hasThinking(_ content: ChatRequest.MessageContent?) -> Bool {
        guard case .chunks(let chunks)? = content else { return false }
        return chunks.contains { if case .thinking = $0 { return true } else { return false } }
    }

    /// Python's `re.match(r"^[a-zA-Z0-9_-]{1,64}$", name)`; `$` also matches before a final newline.
    static func isFunctionName(_ name: String) -> Bool {
        matchesWholly(name, lengths: 1...64) { isASCIIAlphanumeric($0) || $0 == "_" || $0 == "-" }
    }

    /// Python's `re.match(r"^[a-zA-Z0-9]{9}$", id)`.
    static func isCallID(_ id: String) -> Bool {
        matchesWholly(id, lengths: 9...9, isASCIIAlphanumeric)
    }

    private static func matchesWholly(_ text: String, lengths: ClosedRange<Int>, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
        var scalars = Array(text.unicodeScalars)
        if scalars.last == "\n" { scalars.removeLast() }
        return lengths.contains(scalars.count) && scalars.allSatisfy(allowed)
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
