/// Maps Mistral-shaped chat requests to OpenAI's chat completions API, and the answers back.
///
/// Request: `random_seed` → `seed`; `tool_choice: "any"` → `"required"`; image chunks'
/// bare URL strings → `{"url": …}`; `max_tokens`, `stop`, penalties, `n`, `tools`,
/// `response_format`, `reasoning_effort`, `prediction` pass through; Mistral-only fields
/// (`safe_prompt`, `prompt_mode`, `guardrails`, `service_tier`, `metadata`, `prompt_cache_key`,
/// an assistant message's `prefix`, a tool message's `name`) are dropped; streams ask for
/// `stream_options.include_usage` so usage is still counted. Answers: OpenAI's
/// `function_call` finish reason reads as `tool_calls`; usage (with
/// `prompt_tokens_details.cached_tokens`) and everything else already decode as Mistral's.
public enum OpenAICompatibleMapping {
    static let droppedRequestFields: Set<String> = [
        "safe_prompt", "prompt_mode", "guardrails", "service_tier", "metadata", "prompt_cache_key",
    ]

    /// The OpenAI form of a Mistral chat request body.
    public static func request(_ body: JSONValue) -> JSONValue {
        guard case .object(var members) = body else { return body }
        for field in droppedRequestFields { members[field] = nil }
        if let seed = members.removeValue(forKey: "random_seed") { members["seed"] = seed }
        if members["tool_choice"]?.stringValue == "any" { members["tool_choice"] = "required" }
        if case .array(let messages)? = members["messages"] { members["messages"] = .array(messages.map(message)) }
        if members["stream"] == .bool(true) { members["stream_options"] = ["include_usage": true] }
        return .object(members)
    }

    static func message(_ message: JSONValue) -> JSONValue {
        guard case .object(var members) = message else { return message }
        switch members["role"]?.stringValue {
        case "assistant": members["prefix"] = nil
        case "tool": members["name"] = nil
        default: break
        }
        if case .array(let chunks)? = members["content"] {
            members["content"] = .array(chunks.map(chunk))
        }
        return .object(members)
    }

    static func chunk(_ chunk: JSONValue) -> JSONValue {
        guard case .object(var members) = chunk, members["type"]?.stringValue == "image_url",
            case .string(let url)? = members["image_url"]
        else { return chunk }
        members["image_url"] = ["url": .string(url)]
        return .object(members)
    }

    /// The Mistral form of an OpenAI chat completion (or chunk) body.
    public static func response(_ body: JSONValue) -> JSONValue {
        guard case .object(var members) = body, case .array(let choices)? = members["choices"] else { return body }
        members["choices"] = .array(
            choices.map { choice in
                guard case .object(var fields) = choice, fields["finish_reason"]?.stringValue == "function_call" else { return choice }
                fields["finish_reason"] = "tool_calls"
                return .object(fields)
            })
        return .object(members)
    }
}
