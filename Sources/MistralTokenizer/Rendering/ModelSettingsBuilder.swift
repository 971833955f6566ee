/// Which model settings a v15 tokenizer file allows, read from its `model_settings_builder`.
///
/// Follows mistral-common's `ModelSettingsBuilder`: a setting without a builder is dropped from
/// the request silently; a reasoning effort falls back to the file's default and must be one
/// of its values; the JSON schema comes from the response format.
struct ModelSettingsBuilder: Sendable {
    struct ReasoningEffortRule: Sendable {
        var values: [ChatRequest.ReasoningEffort]
        var defaultValue: ChatRequest.ReasoningEffort
    }

    var reasoningEffort: ReasoningEffortRule?
    var includesJSONSchema: Bool

    init(fileValue: OrderedJSON, path: String?) throws(TokenizerError) {
        func corrupt(_ message: String) -> TokenizerError {
            TokenizerError(.corruptFile, "invalid model_settings_builder: \(message)", path: path)
        }
        guard case .object = fileValue else { throw corrupt("not an object") }
        if let rule = fileValue["reasoning_effort"], rule != .null {
            guard case .array(let rawValues)? = rule["values"] else { throw corrupt("reasoning_effort has no values list") }
            var values: [ChatRequest.ReasoningEffort] = []
            for raw in rawValues {
                guard let name = raw.stringValue, let value = ChatRequest.ReasoningEffort(rawValue: name) else {
                    throw corrupt("unknown reasoning effort \(raw.pythonJSON)")
                }
                values.append(value)
            }
            guard let name = rule["default"]?.stringValue, let defaultValue = ChatRequest.ReasoningEffort(rawValue: name),
                  values.contains(defaultValue) else {
                throw corrupt("reasoning_effort needs a default that is one of its values")
            }
            reasoningEffort = ReasoningEffortRule(values: values, defaultValue: defaultValue)
        }
        if let rule = fileValue["json_schema"], rule != .null {
            includesJSONSchema = true
        } else {
            includesJSONSchema = false
        }
    }

    func settings(for request: ChatRequest) throws(TokenizerError) -> ModelSettings {
        var settings = ModelSettings()
        if let rule = reasoningEffort {
            let value = request.reasoningEffort ?? rule.defaultValue
            guard rule.values.contains(value) else {
                throw TokenizerError(.invalidRequest, "reasoning_effort should be one of \(rule.values.map(\.rawValue)), got \(value.rawValue)")
            }
            settings.reasoningEffort = value
        }
        if includesJSONSchema { settings.jsonSchema = request.responseFormat.modelSettingsSchema }
        return settings
    }
}
