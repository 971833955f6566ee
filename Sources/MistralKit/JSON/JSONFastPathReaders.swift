/// The readers the wire models' fast paths share (``ChatCompletionChunk`` and
/// ``ChatCompletionResponse``, in their `+FastPath` files): a choice, message content, tool
/// calls, usage, and the check that no member is repeated. Each throws ``JSONCursor/Miss`` for
/// anything but the plain shape, and the model's tree path then decides.

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
