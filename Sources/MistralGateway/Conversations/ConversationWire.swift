import Foundation
import MistralChat
import MistralKit

/// MistralChat's conversations, entries and agents in the shapes of Mistral's Conversations and
/// Agents APIs (what the official SDKs parse), and the requests' settings read back into them.
///
/// Agents made through the API are stored under their id (`ag_…`) as the engine's agent name,
/// with the API's `name` as their display name. Mistral numbers an agent's versions from 0, the
/// engine from 1: version `n` here is the engine's `n + 1`.
enum ConversationWire {
    // MARK: - Out

    static func timestamp(_ date: Date) -> JSONValue {
        .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    static func conversation(_ conversation: Conversation) -> JSONValue {
        var members: [String: JSONValue] = [
            "object": "conversation", "id": .string(conversation.id), "created_at": timestamp(conversation.createdAt),
            "updated_at": timestamp(conversation.updatedAt), "name": conversation.details.name.map { .string($0) } ?? nil,
            "description": conversation.details.description.map { .string($0) } ?? nil,
            "metadata": conversation.details.metadata.isEmpty ? nil : .object(conversation.details.metadata),
        ]
        if let agentName = conversation.agentName {
            members["agent_id"] = .string(agentName)
            members["agent_version"] = conversation.agentVersion.map { .int($0 - 1) } ?? nil
        } else {
            let inline = conversation.details.inlineAgent
            members["model"] = .string(inline?.model ?? "")
            if let instructions = inline?.instructions, !instructions.isEmpty { members["instructions"] = .string(instructions) }
            members["tools"] = tools(inline)
            members["completion_args"] = inline.map(completionArguments) ?? [:]
            members["guardrails"] = guardrails(inline)
        }
        return .object(members)
    }

    /// One entry as Mistral's history shows it; a failed answer also says so (`status`,
    /// `error`: fields the SDKs ignore and a caller can read) and is retried with `append`.
    static func entry(_ entry: ConversationEntry, agentID: String?) -> JSONValue {
        var members: [String: JSONValue] = [
            "object": "entry", "id": .string(entry.id), "created_at": timestamp(entry.createdAt),
            "completed_at": entry.completedAt.map(timestamp) ?? nil,
        ]
        switch entry.kind {
        case .input:
            members["type"] = "message.input"
            members["role"] = "user"
            members["content"] = .string(entry.content)
            members["prefix"] = false
        case .output:
            members["type"] = "message.output"
            members["role"] = "assistant"
            members["content"] = outputContent(entry)
            members["model"] = entry.model.map { .string($0) } ?? nil
            members["agent_id"] = agentID.map { .string($0) } ?? nil
            if entry.status != .complete { members["status"] = .string(entry.status.rawValue) }
            if let error = entry.error { members["error"] = .string(error) }
        case .functionCall:
            members["type"] = "function.call"
            members["tool_call_id"] = .string(entry.toolCallID ?? "")
            members["name"] = .string(entry.toolName ?? "")
            members["arguments"] = .string(entry.toolArguments ?? "{}")
        case .functionResult:
            members["type"] = "function.result"
            members["tool_call_id"] = .string(entry.toolCallID ?? "")
            members["result"] = .string(entry.content)
        }
        return .object(members)
    }

    /// An answer's text, with its citations as `tool_reference` chunks when it has any.
    static func outputContent(_ entry: ConversationEntry) -> JSONValue {
        guard !entry.citations.isEmpty else { return .string(entry.content) }
        let references: [JSONValue] = entry.citations.map { citation in
            [
                "type": "tool_reference", "tool": "document_library", "title": .string(citation.title), "url": nil, "favicon": nil,
                "description": .string(citation.text),
            ]
        }
        return .array([["type": "text", "text": .string(entry.content)]] + references)
    }

    /// A turn's answer: the output, or the function calls it waits on.
    static func response(_ turn: ChatEngine.Turn) -> JSONValue {
        let outputs = turn.output.status == .waiting ? turn.functionCalls : [turn.output]
        return response(
            conversationID: turn.conversation.id, outputs: outputs, agentID: turn.conversation.agentName,
            usage: usage(prompt: turn.output.promptTokens ?? 0, completion: turn.output.completionTokens ?? 0))
    }

    static func response(conversationID: String, outputs: [ConversationEntry], agentID: String?, usage given: JSONValue? = nil) -> JSONValue {
        let prompt = outputs.compactMap(\.promptTokens).reduce(0, +)
        let completion = outputs.compactMap(\.completionTokens).reduce(0, +)
        return [
            "object": "conversation.response", "conversation_id": .string(conversationID),
            "outputs": .array(outputs.map { entry($0, agentID: agentID) }), "usage": given ?? usage(prompt: prompt, completion: completion),
        ]
    }

    static func usage(prompt: Int, completion: Int) -> JSONValue {
        ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)]
    }

    static func agent(_ agent: Agent, versions: [Int], firstCreated: Date) -> JSONValue {
        [
            "object": "agent", "id": .string(agent.name), "name": .string(agent.displayName ?? agent.name), "model": .string(agent.model),
            "version": .int(agent.version - 1), "versions": .array(versions.map { .int($0 - 1) }),
            "created_at": timestamp(firstCreated), "updated_at": timestamp(agent.createdAt), "deployment_chat": false, "source": "api",
            "instructions": agent.instructions.isEmpty ? nil : .string(agent.instructions),
            "description": agent.description.map { .string($0) } ?? nil, "tools": tools(agent), "completion_args": completionArguments(agent),
            "handoffs": nil, "metadata": nil, "guardrails": guardrails(agent), "tone": tone(agent.tone),
        ]
    }

    /// An agent's tone as the API shows it (a field of this server's; the SDKs ignore it).
    static func tone(_ tone: Agent.Tone?) -> JSONValue {
        switch tone {
        case nil: nil
        case .formal?: "formal"
        case .casual?: "casual"
        case .custom(let text)?: .string(text)
        }
    }

    static func completionArguments(_ agent: Agent) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let temperature = agent.temperature { members["temperature"] = .double(temperature) }
        if let maxTokens = agent.maxTokens { members["max_tokens"] = .int(maxTokens) }
        if let extra = agent.completionArguments, case .object(let encoded) = (try? JSONValue(encoding: extra)) ?? nil {
            members.merge(encoded) { current, _ in current }
        }
        return .object(members)
    }

    // MARK: - In

    /// The members of `completion_args` this server applies; others are refused by name.
    static let completionArgumentNames: Set<String> = [
        "temperature", "max_tokens", "top_p", "stop", "random_seed", "presence_penalty", "frequency_penalty", "response_format",
    ]

    /// Applies a request's `completion_args` to `agent`, or records why they cannot be.
    static func apply(completionArguments arguments: [String: JSONValue], to agent: inout Agent, fields: inout RequestFields) {
        for name in arguments.keys.sorted() where !completionArgumentNames.contains(name) {
            fields.refuse("completion_args", "completion_args.\(name) is not supported by this server.")
        }
        if let value = arguments["temperature"], value != .null {
            guard let temperature = value.doubleValue, (0...1.5).contains(temperature) else {
                return fields.refuse("completion_args", "completion_args.temperature must be a number from 0 to 1.5.")
            }
            agent.temperature = temperature
        }
        if let value = arguments["max_tokens"], value != .null {
            guard let maxTokens = value.doubleValue.flatMap({ Int(exactly: $0) }), maxTokens > 0 else {
                return fields.refuse("completion_args", "completion_args.max_tokens must be a positive integer.")
            }
            agent.maxTokens = maxTokens
        }
        let rest = arguments.filter { !["temperature", "max_tokens"].contains($0.key) && completionArgumentNames.contains($0.key) && $0.value != .null }
        guard !rest.isEmpty else { return }
        do {
            agent.completionArguments = try JSONValueDecoder().decode(CompletionArguments.self, from: .object(rest))
        } catch {
            fields.refuse("completion_args", "completion_args are not valid: \(error)")
        }
    }

    /// What a request's `inputs` are: the user's message, or the results of the functions the
    /// caller ran.
    enum Inputs {
        case message(String)
        case functionResults([ChatEngine.FunctionResult])
    }

    /// The request's `inputs`: a string, or entries that are all `message.input` from the user
    /// (their texts joined) or all `function.result`. Other entries are refused by name.
    static func inputs(_ fields: inout RequestFields, required: Bool) -> Inputs? {
        guard let value = fields.raw("inputs") else {
            if required { _ = fields.string("inputs", required: true) }
            return nil
        }
        if let text = value.stringValue { return .message(text) }
        guard let entries = value.arrayValue, !entries.isEmpty else {
            fields.refuse("inputs", "Input should be a valid string or a non-empty list of entries", type: "union_type")
            return nil
        }
        func type(_ entry: JSONValue) -> String {
            entry["type"]?.stringValue ?? (entry["tool_call_id"] != nil ? "function.result" : (entry["role"] != nil ? "message.input" : ""))
        }
        if entries.allSatisfy({ type($0) == "function.result" }) {
            var results: [ChatEngine.FunctionResult] = []
            for entry in entries {
                guard let id = entry["tool_call_id"]?.stringValue, let result = entry["result"]?.stringValue else {
                    fields.refuse("inputs", "A function.result entry needs tool_call_id and result (strings).")
                    return nil
                }
                results.append(ChatEngine.FunctionResult(callID: id, result: result))
            }
            return .functionResults(results)
        }
        var texts: [String] = []
        for entry in entries {
            guard type(entry) == "message.input" else {
                fields.refuse("inputs", "Entries of type '\(type(entry))' are not supported as inputs with messages; send message.input entries, or only function.result entries.")
                return nil
            }
            guard (entry["role"]?.stringValue ?? "user") == "user" else {
                fields.refuse("inputs", "Only the user's messages (role 'user') are accepted as inputs.")
                return nil
            }
            switch entry["content"] ?? nil {
            case .string(let text): texts.append(text)
            case .array(let chunks):
                let pieces = chunks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
                guard pieces.count == chunks.count else {
                    fields.refuse("inputs", "Only text content is accepted in inputs by this server.")
                    return nil
                }
                texts.append(pieces.joined())
            default:
                fields.refuse("inputs", "An input entry needs content: a string or text chunks.")
                return nil
            }
        }
        return .message(texts.joined(separator: "\n\n"))
    }

    /// What a request's `tools` give: the libraries of `document_library` tools, and function
    /// tools the caller runs; `nil` without `tools`. Other tool types (built-in, connectors) are
    /// refused by name: not served through this API yet.
    struct Tools {
        var libraries: [String] = []
        var functions: [Tool] = []
    }

    static func tools(_ fields: inout RequestFields) -> Tools? {
        guard let tools = fields.array("tools") else { return nil }
        var read = Tools()
        for tool in tools {
            let type = tool["type"]?.stringValue ?? "function"
            switch type {
            case "document_library":
                guard let ids = tool["library_ids"]?.arrayValue?.compactMap(\.stringValue), !ids.isEmpty else {
                    fields.refuse("tools", "A document_library tool needs library_ids: a non-empty list of library ids.")
                    continue
                }
                read.libraries += ids.filter { !read.libraries.contains($0) }
            case "function":
                guard let function = try? JSONValueDecoder().decode(Tool.self, from: tool), let definition = function.function,
                    !definition.name.isEmpty, definition.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }),
                    definition.name.count <= 64
                else {
                    fields.refuse("tools", "A function tool needs function.name (letters, digits, _ and -, at most 64) and function.parameters.")
                    continue
                }
                guard !read.functions.contains(where: { $0.function?.name == definition.name }) else {
                    fields.refuse("tools", "Two functions are named '\(definition.name)'.")
                    continue
                }
                read.functions.append(function)
            default:
                fields.refuse("tools", "Tools of type '\(type)' are not supported through this server's API yet; function and document_library are.")
            }
        }
        return read
    }

    /// A request's `guardrails` (Mistral's), or `nil` without them; a malformed one is refused.
    static func guardrails(_ fields: inout RequestFields) -> [GuardrailConfig]? {
        guard let list = fields.array("guardrails") else { return nil }
        do {
            return try list.map { try JSONValueDecoder().decode(GuardrailConfig.self, from: $0) }
        } catch {
            fields.refuse("guardrails", "guardrails are not valid: \(error)")
            return nil
        }
    }

    static func guardrails(_ agent: Agent?) -> JSONValue {
        guard let guardrails = agent?.upstreamGuardrails, !guardrails.isEmpty else { return nil }
        return .array(guardrails.compactMap { try? JSONValue(encoding: $0) })
    }

    /// An agent's or a model conversation's tools: its functions, and its libraries as one
    /// `document_library` tool.
    static func tools(_ agent: Agent?) -> JSONValue {
        guard let agent else { return [] }
        var tools: [JSONValue] = (agent.functions ?? []).compactMap { try? JSONValue(encoding: $0) }
        if !agent.knowledgeBases.isEmpty {
            tools.append(["type": "document_library", "library_ids": .array(agent.knowledgeBases.map { .string($0) })])
        }
        return .array(tools)
    }
}

extension JSONValue {
    /// `value` encoded as a JSON tree.
    init<Value: Encodable>(encoding value: Value) throws {
        self = try JSONParser.parse(try JSONCoding.encode(value))
    }
}
