/// The schemas of chat messages, content chunks and tools, built from MistralKit's lists of the
/// member names Mistral accepts (``ChatMessage/allowedKeys``, ``Tool/allowedKeys``).
enum MessageSchemas {
    /// One message, told apart by `role`; errors carry the role in their location
    /// (`["body", "messages", 0, "user", "name"]`), as Mistral's do.
    static let message: FieldSchema = .tagged(
        TaggedUnion(key: "role", variants: ["system", "user", "assistant", "tool"].map { ($0, messageObject(role: $0)) }))

    /// A list of messages.
    static let messages: FieldSchema = .list(message)

    /// One tool, told apart by `type` (`function` when absent).
    static let tool: FieldSchema = .tagged(
        TaggedUnion(
            key: "type",
            variants: toolOrder.filter { Tool.allowedKeys[$0] != nil }.map { ($0, toolObject(type: $0)) },
            defaultTag: "function"))

    private static let toolOrder = [
        "function", "web_search", "web_search_premium", "code_interpreter", "image_generation", "document_library", "connector",
    ]

    private static let memberOrder = ["role", "content", "tool_calls", "prefix", "tool_call_id", "name"]

    private static func messageObject(role: String) -> ObjectSchema {
        let allowed = ChatMessage.allowedKeys[role] ?? ["role", "content"]
        let content: FieldSchema =
            role == "system"
            ? .union([UnionMember("str", .string), UnionMember("list[SystemMessageContentChunks]", .list(systemChunk))])
            : .nullable(.union([UnionMember("str", .string), UnionMember("list[ContentChunk]", .list(contentChunk))]))
        let types: [String: FieldSchema] = [
            "role": .oneOf([role]),
            "content": content,
            "tool_calls": .nullable(.list(.object(toolCall))),
            "prefix": .boolean,
            "tool_call_id": .nullable(.string),
            "name": .nullable(.string),
        ]
        let ordered = memberOrder.filter(allowed.contains) + allowed.subtracting(memberOrder).sorted()
        let required: Set<String> = role == "assistant" ? [] : ["content"]
        let name = role.prefix(1).uppercased() + role.dropFirst() + "Message"
        return ObjectSchema(name: name, allowed: ordered, types: types, required: required)
    }

    private static let toolCall = ObjectSchema(
        name: "ToolCall", allowed: ["id", "type", "function", "index"],
        types: [
            "id": .string, "type": .string, "index": .integer(),
            "function": .object(
                ObjectSchema(
                    name: "FunctionCall", allowed: ["name", "arguments"],
                    types: [
                        "name": .string,
                        "arguments": .union([UnionMember("dict[str,any]", .dictionary), UnionMember("str", .string)]),
                    ],
                    required: ["name", "arguments"])),
        ],
        required: ["function"])

    private static func toolObject(type: String) -> ObjectSchema {
        let allowed = Tool.allowedKeys[type] ?? ["type"]
        let order = ["type", "function", "library_ids", "connector_id", "authorization", "tool_configuration"]
        let types: [String: FieldSchema] = [
            "type": .string,
            "function": .object(function),
            "library_ids": .nullable(.list(.string)),
            "connector_id": .string,
            "tool_configuration": .nullable(.dictionary),
        ]
        let required: Set<String> = type == "function" ? ["function"] : (type == "connector" ? ["connector_id"] : [])
        return ObjectSchema(
            name: type == "function" ? "Tool" : type, allowed: order.filter(allowed.contains) + allowed.subtracting(order).sorted(),
            types: types, required: required)
    }

    private static let function = ObjectSchema(
        name: "Function", allowed: ["name", "description", "strict", "parameters"],
        types: ["name": .string, "description": .string, "strict": .boolean, "parameters": .dictionary],
        required: ["name", "parameters"])

    // MARK: - Content chunks

    private static let contentChunk: FieldSchema = .tagged(
        TaggedUnion(
            key: "type",
            variants: [
                ("text", chunk("TextChunk", ["text": .string], required: ["text"])),
                ("image_url", chunk("ImageURLChunk", ["image_url": .any], required: ["image_url"])),
                (
                    "document_url",
                    chunk("DocumentURLChunk", ["document_url": .string, "document_name": .nullable(.string)], required: ["document_url"])
                ),
                ("reference", chunk("ReferenceChunk", ["reference_ids": .list(.any)], required: ["reference_ids"])),
                ("file", chunk("FileChunk", ["file_id": .string], required: ["file_id"])),
                ("thinking", thinkingChunk),
                ("input_audio", chunk("AudioChunk", ["input_audio": .any], required: ["input_audio"])),
            ]))

    private static let systemChunk: FieldSchema = .tagged(
        TaggedUnion(
            key: "type", variants: [("text", chunk("TextChunk", ["text": .string], required: ["text"])), ("thinking", thinkingChunk)]))

    private static let thinkingChunk = chunk(
        "ThinkingChunk", ["thinking": .list(.any), "signature": .nullable(.string), "closed": .boolean], required: ["thinking"])

    private static func chunk(_ name: String, _ members: [String: FieldSchema], required: Set<String>) -> ObjectSchema {
        ObjectSchema(
            name: name, allowed: ["type"] + members.keys.sorted(), types: members.merging(["type": .string]) { $1 }, required: required)
    }
}
