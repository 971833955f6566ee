extension ChatCompletionResponse {
    /// Reads a response straight from its JSON bytes, without a tree or `Codable` containers.
    ///
    /// `nil` whenever the bytes are anything but a plain response (a repeated or escaped member
    /// name, an unexpected type, invalid JSON): the caller then decodes them with `Decodable`,
    /// which returns the same response or throws its usual error. Usage, content chunks and
    /// tool calls are read as small trees by their `Decodable` conformances.
    static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> ChatCompletionResponse? {
        var cursor = JSONCursor(bytes)
        return try? read(&cursor)
    }

    private static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> ChatCompletionResponse {
        guard try cursor.openObjectOrNull() else { throw JSONCursor.Miss() }
        var response = ChatCompletionResponse(id: "", model: "", created: 0, choices: [], usage: nil)
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("id") {
                try seen.insert(0)
                response.id = try cursor.stringOrNull() ?? ""
            } else if name.spells("object") {
                try seen.insert(1)
                response.object = try cursor.stringOrNull() ?? "chat.completion"
            } else if name.spells("model") {
                try seen.insert(2)
                response.model = try cursor.stringOrNull() ?? ""
            } else if name.spells("created") {
                try seen.insert(3)
                response.created = try cursor.intOrNull() ?? 0
            } else if name.spells("choices") {
                try seen.insert(4)
                if try cursor.openArrayOrNull() {
                    var firstChoice = true
                    while try cursor.nextElement(first: &firstChoice) {
                        response.choices.append(try ChatCompletionChoice.read(&cursor))
                    }
                }
            } else if name.spells("usage") {
                try seen.insert(5)
                if try !cursor.skipNull() {
                    response.usage = try UsageInfo.read(&cursor, depth: 1)
                }
            } else {
                _ = try cursor.value(depth: 1)
            }
        }
        try cursor.finish()
        return response
    }
}

extension ChatCompletionChoice {
    fileprivate static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> ChatCompletionChoice {
        let (index, message, finishReason) = try cursor.choice(body: "message", empty: AssistantMessage()) {
            (cursor: inout JSONCursor) throws(JSONCursor.Miss) in try AssistantMessage.read(&cursor)
        }
        return ChatCompletionChoice(index: index, message: message, finishReason: finishReason)
    }
}

extension AssistantMessage {
    /// Reads the members of a message whose `{` was consumed (`role` is skipped, as `Decodable` does).
    fileprivate static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> AssistantMessage {
        var message = AssistantMessage()
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("content") {
                try seen.insert(0)
                message.content = try MessageContent.readOrNull(&cursor, depth: 4)
            } else if name.spells("tool_calls") {
                try seen.insert(1)
                message.toolCalls = try [ToolCall].readOrNull(&cursor, depth: 4)
            } else if name.spells("prefix") {
                try seen.insert(2)
                message.prefix = try cursor.boolOrNull()
            } else {
                _ = try cursor.value(depth: 4)
            }
        }
        return message
    }
}
