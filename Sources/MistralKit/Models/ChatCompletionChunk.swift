/// One server-sent event of a streamed chat or FIM completion.
///
/// Usage arrives in the chunk whose choice carries a non-nil finish reason.
public struct ChatCompletionChunk: Sendable, Hashable, Codable {
    /// The server's id for this object.
    public var id: String
    /// The wire object type, e.g. `chat.completion`.
    public var object: String
    /// Creation time, Unix seconds.
    public var created: Int
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The answers, one per `n`.
    public var choices: [StreamChoice]
    /// Tokens consumed; `nil` only when the server did not report them.
    public var usage: UsageInfo?

    public init(
        id: String, object: String = "chat.completion.chunk", created: Int, model: String, choices: [StreamChoice],
        usage: UsageInfo? = nil
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder), path: decoder.codingPath)
    }

    /// Reads a chunk from parsed JSON: the streaming hot path, without `Codable` containers.
    init(json: JSONValue, path: [any CodingKey] = []) throws {
        let reader = try JSONObjectReader(json, path: path)
        id = try reader.string("id") ?? ""
        object = try reader.string("object") ?? "chat.completion.chunk"
        created = try reader.int("created") ?? 0
        model = try reader.string("model") ?? ""
        choices = try reader.array("choices") { try StreamChoice(json: $0, path: []) } ?? []
        usage = try reader.decode("usage", as: UsageInfo.self)
    }

    /// One choice's increment.
    public struct StreamChoice: Sendable, Hashable, Codable {
        /// Position in the list it belongs to.
        public var index: Int
        /// What this chunk adds to the message.
        public var delta: DeltaMessage
        /// Why generation stopped; `nil` while it goes on.
        public var finishReason: FinishReason?

        public init(index: Int, delta: DeltaMessage, finishReason: FinishReason? = nil) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        private enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            try self.init(json: JSONValue(from: decoder), path: decoder.codingPath)
        }

        init(json: JSONValue, path: [any CodingKey]) throws {
            let reader = try JSONObjectReader(json, path: path)
            index = try reader.int("index") ?? 0
            delta = try reader.object("delta") { try DeltaMessage(json: $0, path: []) } ?? DeltaMessage()
            finishReason = try reader.string("finish_reason").map(FinishReason.init(rawValue:))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            if let finishReason {
                try container.encode(finishReason, forKey: .finishReason)
            } else {
                try container.encodeNil(forKey: .finishReason)
            }
        }
    }
}

/// The increment of an assistant message in a stream.
public struct DeltaMessage: Sendable, Hashable, Codable {
    /// `assistant` in the first chunk of a stream.
    public var role: String?
    /// The content text.
    public var content: MessageContent?
    /// Tool calls the model asked for.
    public var toolCalls: [ToolCall]?

    public init(role: String? = nil, content: MessageContent? = nil, toolCalls: [ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
    }

    private enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
    }

    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder), path: decoder.codingPath)
    }

    init(json: JSONValue, path: [any CodingKey]) throws {
        let reader = try JSONObjectReader(json, path: path)
        role = try reader.string("role")
        switch reader.value("content") {
        case .string(let text)?: content = .text(text)
        case nil: content = nil
        default: content = try reader.decode("content", as: MessageContent.self)
        }
        toolCalls = try reader.decode("tool_calls", as: [ToolCall].self)
    }
}

// MARK: - Fast path

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

extension JSONCursor {
    /// Reads a choice, `{"index": …, "<body>": {…}, "finish_reason": …}`: the shape stream
    /// chunks and responses share. `readBody` reads the body's members after its `{`.
    mutating func choice<Body>(
        body name: StaticString, empty: Body, _ readBody: (inout JSONCursor) throws(JSONCursor.Miss) -> Body
    ) throws(JSONCursor.Miss) -> (index: Int, body: Body, finishReason: FinishReason?) {
        guard try openObjectOrNull() else { throw JSONCursor.Miss() }
        var index = 0
        var body = empty
        var finishReason: FinishReason?
        var seen = SeenMembers()
        var first = true
        while let member = try nextMember(first: &first) {
            if member.spells("index") {
                try seen.insert(0)
                index = try intOrNull() ?? 0
            } else if member.spells(name) {
                try seen.insert(1)
                if try openObjectOrNull() { body = try readBody(&self) }
            } else if member.spells("finish_reason") {
                try seen.insert(2)
                finishReason = try stringOrNull().map(FinishReason.init(rawValue:))
            } else {
                _ = try value(depth: 3)
            }
        }
        return (index, body, finishReason)
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

extension MessageContent {
    /// Text read directly; content chunks through their `Decodable` conformance, as the tree path does.
    static func readOrNull(_ cursor: inout JSONCursor, depth: Int) throws(JSONCursor.Miss) -> MessageContent? {
        if try cursor.skipNull() { return nil }
        if cursor.atString, let text = try cursor.stringOrNull() { return .text(text) }
        let value = try cursor.value(depth: depth)
        do { return try JSONValueDecoder().decode(MessageContent.self, from: value) } catch { throw JSONCursor.Miss() }
    }
}

extension [ToolCall] {
    /// Tool calls through their `Decodable` conformance, as the tree path does.
    static func readOrNull(_ cursor: inout JSONCursor, depth: Int) throws(JSONCursor.Miss) -> [ToolCall]? {
        if try cursor.skipNull() { return nil }
        let value = try cursor.value(depth: depth)
        do { return try JSONValueDecoder().decode([ToolCall].self, from: value) } catch { throw JSONCursor.Miss() }
    }
}

extension UsageInfo {
    /// Reads a usage object whose `{` is next, by the same rules as `init(from:)`, without a tree
    /// for the counts (building one cost more than the rest of a response): the three counts must
    /// be integers or `null` (anything else is a miss, where `Decodable` throws); the optional
    /// extras are `nil` when unreadable, as `Decodable` reads them with `try?`; every other member
    /// (the two details objects too) is kept in ``additional`` as a tree. `depth` is the depth of
    /// the object that holds `usage` (1 for a response or a chunk).
    static func read(_ cursor: inout JSONCursor, depth: Int) throws(JSONCursor.Miss) -> UsageInfo {
        guard try cursor.openObjectOrNull() else { throw JSONCursor.Miss() }
        var prompt: Int?
        var completion: Int?
        var total: Int?
        var audio: Int?
        var serviceTier: ServiceTier?
        var additional: [String: JSONValue] = [:]
        var seen = SeenMembers()
        var first = true
        while let name = try cursor.nextMember(first: &first) {
            if name.spells("prompt_tokens") {
                try seen.insert(0)
                prompt = try cursor.intOrNull()
            } else if name.spells("completion_tokens") {
                try seen.insert(1)
                completion = try cursor.intOrNull()
            } else if name.spells("total_tokens") {
                try seen.insert(2)
                total = try cursor.intOrNull()
            } else if name.spells("prompt_audio_seconds") {
                try seen.insert(3)
                audio = try cursor.value(depth: depth + 1).exactInteger(Int.self)
            } else if name.spells("service_tier") {
                try seen.insert(4)
                if case .string(let tier) = try cursor.value(depth: depth + 1) { serviceTier = ServiceTier(rawValue: tier) }
            } else {
                let key = String(decoding: name, as: UTF8.self)
                // A repeated member: the tree path decides which one wins.
                guard additional[key] == nil else { throw JSONCursor.Miss() }
                additional[key] = try cursor.value(depth: depth + 1)
            }
        }
        func detail(_ object: String, _ key: String) -> Int? {
            guard case .object(let details)? = additional[object] else { return nil }
            return details[key]?.exactInteger(Int.self)
        }
        let prompts = prompt ?? 0
        let completions = completion ?? 0
        return UsageInfo(
            promptTokens: prompts, completionTokens: completions, totalTokens: total ?? (prompts + completions),
            promptAudioSeconds: audio, serviceTier: serviceTier,
            cachedTokens: detail("prompt_tokens_details", "cached_tokens"),
            reasoningTokens: detail("completion_tokens_details", "reasoning_tokens"),
            additional: additional)
    }
}

/// The known members an object has shown, so a repeated one sends the bytes to the tree path
/// (where the last one wins, as in any JSON object read into a dictionary).
struct SeenMembers {
    private var bits: UInt32 = 0

    mutating func insert(_ member: Int) throws(JSONCursor.Miss) {
        let bit: UInt32 = 1 << member
        guard bits & bit == 0 else { throw JSONCursor.Miss() }
        bits |= bit
    }
}
