/// A chat request after normalisation: what the per-version rendering walks over.
///
/// Mirrors mistral-common's `InstructRequest`: same-role neighbours merged, system prompts either
/// pulled out into ``systemPrompt`` (before v7) or kept as messages (from v7), tool call
/// arguments and (before v7) tool results re-serialised as Python would.
struct InstructRequest {
    var messages: [ChatRequest.Message]
    var systemPrompt: String?
    var tools: [ChatRequest.Tool]
    var settings: ModelSettings
}

/// The settings a v15 model sees in `[MODEL_SETTINGS]`; empty before v15.
struct ModelSettings: Equatable {
    var reasoningEffort: ChatRequest.ReasoningEffort?
    var jsonSchema: OrderedJSON?

    static let none = ModelSettings()

    /// `json.dumps` of the settings with top-level keys sorted, `None` fields left out.
    var renderedJSON: OrderedJSON {
        var members: [OrderedJSON.Member] = []
        if let jsonSchema { members.append(.init("json_schema", jsonSchema)) }
        if let reasoningEffort { members.append(.init("reasoning_effort", .string(reasoningEffort.rawValue))) }
        return .object(members)
    }
}
