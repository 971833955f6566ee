extension ChatCompletionChunk {
    /// Reads a chunk straight from its JSON bytes, without a tree: the streaming hot path.
    ///
    /// `nil` whenever the bytes are anything but a plain chunk (an error body, an escaped or
    /// repeated member name, an unexpected type, invalid JSON): the caller then takes the tree
    /// path, which returns the same chunk or throws its usual error. Usage, content chunks and
    /// tool calls are read as small trees by the tree path's own code.
    /// `previous`, the stream's last chunk, lends its strings when this one repeats them.
    static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>, previous: RepeatedStrings? = nil) -> ChatCompletionChunk? {
        try? read(bytes, previous: previous)
    }

    /// ``fastPath(_:previous:)`` that throws its miss instead of wrapping the chunk in an
    /// optional (a copy of the whole chunk, on a path taken for every chunk of every stream).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, previous: RepeatedStrings?) throws(JSONCursor.Miss) -> ChatCompletionChunk {
        var content: Range<Int>?
        return try read(bytes, previous: previous, content: &content)
    }

    /// ``read(_:previous:)`` that also sets `content` to where the first choice's text is, when
    /// its content is a string (for a ``ChunkTemplate``).
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, previous: RepeatedStrings?, content: inout Range<Int>?
    ) throws(JSONCursor.Miss) -> ChatCompletionChunk {
        var cursor = JSONCursor(bytes)
        return try read(&cursor, previous: previous, content: &content)
    }

    /// ``fastPath(_:previous:)`` over any bytes (copied when they are not contiguous).
    static func fastPath(_ bytes: some Collection<UInt8>, previous: RepeatedStrings? = nil) -> ChatCompletionChunk? {
        if let chunk = bytes.withContiguousStorageIfAvailable({ fastPath($0, previous: previous) }) { return chunk }
        return Array(bytes).withUnsafeBufferPointer { fastPath($0, previous: previous) }
    }

    /// ``fastPath(_:previous:)`` lent the strings of a whole chunk.
    static func fastPath(_ bytes: some Collection<UInt8>, previous: ChatCompletionChunk?) -> ChatCompletionChunk? {
        fastPath(bytes, previous: previous.map(RepeatedStrings.init))
    }

    /// The strings every chunk of a stream repeats: kept from one chunk to lend to the next
    /// (keeping the whole chunk cost a copy and a release of all of it per chunk).
    struct RepeatedStrings: Sendable {
        var id: String
        var object: String
        var model: String

        init(_ chunk: ChatCompletionChunk) {
            id = chunk.id
            object = chunk.object
            model = chunk.model
        }
    }

    private static func read(
        _ cursor: inout JSONCursor, previous: RepeatedStrings?, content: inout Range<Int>?
    ) throws(JSONCursor.Miss) -> ChatCompletionChunk {
        guard try cursor.openObjectOrNull() else { throw JSONCursor.Miss() }
        var chunk = ChatCompletionChunk(id: "", created: 0, model: "", choices: [])
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("id") {
                try seen.insert(0)
                chunk.id = try cursor.stringOrNull(reusing: previous?.id) ?? ""
            } else if name.spells("object") {
                try seen.insert(1)
                let object = try cursor.stringOrNull(reusing: previous?.object)
                // An error body is the stream's business (`ChatCompletionStream` checks for one).
                if object == "error" { throw JSONCursor.Miss() }
                chunk.object = object ?? "chat.completion.chunk"
            } else if name.spells("created") {
                try seen.insert(2)
                chunk.created = try cursor.intOrNull() ?? 0
            } else if name.spells("model") {
                try seen.insert(3)
                chunk.model = try cursor.stringOrNull(reusing: previous?.model) ?? ""
            } else if name.spells("choices") {
                try seen.insert(4)
                if try cursor.openArrayOrNull() {
                    var firstChoice = true
                    while try cursor.nextElement(first: &firstChoice) {
                        if chunk.choices.isEmpty {
                            chunk.choices.append(try StreamChoice.read(&cursor, contentRange: &content))
                        } else {
                            chunk.choices.append(try StreamChoice.read(&cursor))
                        }
                    }
                }
            } else if name.spells("usage") {
                try seen.insert(5)
                if try !cursor.skipNull() {
                    chunk.usage = try UsageInfo.read(&cursor, depth: 1)
                }
            } else if name.spells("error") || name.spells("detail") {
                throw JSONCursor.Miss()
            } else {
                _ = try cursor.value(depth: 1)
            }
        }
        try cursor.finish()
        return chunk
    }
}

extension ChatCompletionChunk.StreamChoice {
    /// Reads one choice whose `{` is next.
    fileprivate static func read(_ cursor: inout JSONCursor) throws(JSONCursor.Miss) -> Self {
        var contentRange: Range<Int>?
        return try read(&cursor, contentRange: &contentRange)
    }

    /// Reads one choice whose `{` is next; `contentRange` is set to where its delta's content
    /// is when that is a string.
    fileprivate static func read(_ cursor: inout JSONCursor, contentRange: inout Range<Int>?) throws(JSONCursor.Miss) -> Self {
        let (index, delta, finishReason) = try cursor.choice(body: "delta", empty: DeltaMessage()) { (cursor: inout JSONCursor) throws(JSONCursor.Miss) in
            try DeltaMessage.read(&cursor, contentRange: &contentRange)
        }
        return Self(index: index, delta: delta, finishReason: finishReason)
    }
}

extension DeltaMessage {
    /// Reads the members of a delta whose `{` was consumed.
    fileprivate static func read(_ cursor: inout JSONCursor, contentRange: inout Range<Int>?) throws(JSONCursor.Miss) -> Self {
        var delta = DeltaMessage()
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("role") {
                try seen.insert(0)
                delta.role = try cursor.stringOrNull()
            } else if name.spells("content") {
                try seen.insert(1)
                let isString = cursor.atString
                let start = cursor.offset
                delta.content = try MessageContent.readOrNull(&cursor, depth: 4)
                if isString { contentRange = start..<cursor.offset }
            } else if name.spells("tool_calls") {
                try seen.insert(2)
                delta.toolCalls = try [ToolCall].readOrNull(&cursor, depth: 4)
            } else {
                _ = try cursor.value(depth: 4)
            }
        }
        return delta
    }
}
