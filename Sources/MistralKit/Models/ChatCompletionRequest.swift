/// A request to `POST /v1/chat/completions`.
///
/// Every field Mistral's API accepts, and no other: the server answers 422 to unknown fields,
/// so only these are ever encoded. `nil` fields are left out and take the server's default.
/// `stream` is set by the client method you call (``MistralClient/chat(_:tags:)`` or
/// ``MistralClient/chatStream(_:tags:)``), not by you.
public struct ChatCompletionRequest: Sendable, Hashable, Codable {
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The conversation so far, oldest first.
    public var messages: [ChatMessage]
    /// 0 to 1.5; the default depends on the model (`default_model_temperature`).
    public var temperature: Double?
    /// Nucleus sampling: only tokens within this cumulative probability are considered.
    public var topP: Double?
    /// The most tokens to generate; prompt plus this must fit in the context.
    public var maxTokens: Int?
    /// Set by the client method called; `true` streams server-sent events.
    public var stream: Bool?
    /// Generation stops before any of these sequences.
    public var stop: StopSequences?
    /// Seed for sampling, for repeatable answers.
    public var randomSeed: Int?
    /// Free-form data attached to the request, returned in logs and batch outputs.
    public var metadata: [String: JSONValue]?
    /// Plain text, any JSON object, or JSON matching a schema.
    public var responseFormat: ResponseFormat?
    /// Tools the model may call.
    public var tools: [Tool]?
    /// Whether and which tool the model must call.
    public var toolChoice: ToolChoice?
    /// Penalises tokens that already appeared (−2 to 2).
    public var presencePenalty: Double?
    /// Penalises tokens by how often they appeared (−2 to 2).
    public var frequencyPenalty: Double?
    /// Number of answers; input tokens are billed once.
    public var n: Int?
    /// Expected output, which speeds up answers that largely repeat it.
    public var prediction: Prediction?
    /// Allow several tool calls in one turn (the default).
    public var parallelToolCalls: Bool?
    /// How much a reasoning model thinks before answering.
    public var reasoningEffort: ReasoningEffort?
    /// Deprecated by Mistral in favour of ``reasoningEffort``; kept for older models.
    public var promptMode: String?
    /// Server-side moderation applied to the request and the answer.
    public var guardrails: [GuardrailConfig]?
    /// Routes requests that share a prefix to the same cache; cached input costs 10%.
    public var promptCacheKey: String?
    /// `auto` may use Priority Tier (billed 1.75x); `standard_only` never does.
    public var serviceTier: ServiceTier?
    /// Prepend Mistral's safety system prompt.
    public var safePrompt: Bool?

    public init(
        model: String, messages: [ChatMessage], temperature: Double? = nil, topP: Double? = nil,
        maxTokens: Int? = nil, stop: StopSequences? = nil, randomSeed: Int? = nil,
        metadata: [String: JSONValue]? = nil, responseFormat: ResponseFormat? = nil, tools: [Tool]? = nil,
        toolChoice: ToolChoice? = nil, presencePenalty: Double? = nil, frequencyPenalty: Double? = nil,
        n: Int? = nil, prediction: Prediction? = nil, parallelToolCalls: Bool? = nil,
        reasoningEffort: ReasoningEffort? = nil, promptMode: String? = nil, guardrails: [GuardrailConfig]? = nil,
        promptCacheKey: String? = nil, serviceTier: ServiceTier? = nil, safePrompt: Bool? = nil
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.randomSeed = randomSeed
        self.metadata = metadata
        self.responseFormat = responseFormat
        self.tools = tools
        self.toolChoice = toolChoice
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.n = n
        self.prediction = prediction
        self.parallelToolCalls = parallelToolCalls
        self.reasoningEffort = reasoningEffort
        self.promptMode = promptMode
        self.guardrails = guardrails
        self.promptCacheKey = promptCacheKey
        self.serviceTier = serviceTier
        self.safePrompt = safePrompt
    }

    /// The wire names, which are also exactly the members Mistral accepts.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case model, messages, temperature
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case stream, stop
        case randomSeed = "random_seed"
        case metadata
        case responseFormat = "response_format"
        case tools
        case toolChoice = "tool_choice"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case n, prediction
        case parallelToolCalls = "parallel_tool_calls"
        case reasoningEffort = "reasoning_effort"
        case promptMode = "prompt_mode"
        case guardrails
        case promptCacheKey = "prompt_cache_key"
        case serviceTier = "service_tier"
        case safePrompt = "safe_prompt"
    }
}

/// A request to `POST /v1/fim/completions`: fill in the middle between `prompt` and `suffix`
/// (Codestral models).
public struct FIMCompletionRequest: Sendable, Hashable, Codable {
    /// The model id, e.g. `mistral-small-latest` (or the model that answered, in a response).
    public var model: String
    /// The code before the gap.
    public var prompt: String
    /// The code after the gap.
    public var suffix: String?
    /// Sampling temperature; higher is more varied.
    public var temperature: Double?
    /// Nucleus sampling: only tokens within this cumulative probability are considered.
    public var topP: Double?
    /// The most tokens to generate; prompt plus this must fit in the context.
    public var maxTokens: Int?
    /// The fewest tokens to generate.
    public var minTokens: Int?
    /// Set by the client method called; `true` streams server-sent events.
    public var stream: Bool?
    /// Generation stops before any of these sequences.
    public var stop: StopSequences?
    /// Seed for sampling, for repeatable answers.
    public var randomSeed: Int?
    /// Free-form data attached to the request, returned in logs and batch outputs.
    public var metadata: [String: JSONValue]?
    public var promptCacheKey: String?

    public init(
        model: String, prompt: String, suffix: String? = nil, temperature: Double? = nil, topP: Double? = nil,
        maxTokens: Int? = nil, minTokens: Int? = nil, stop: StopSequences? = nil, randomSeed: Int? = nil,
        metadata: [String: JSONValue]? = nil, promptCacheKey: String? = nil
    ) {
        self.model = model
        self.prompt = prompt
        self.suffix = suffix
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.minTokens = minTokens
        self.stop = stop
        self.randomSeed = randomSeed
        self.metadata = metadata
        self.promptCacheKey = promptCacheKey
    }

    /// The wire names, which are also exactly the members Mistral accepts.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case model, prompt, suffix, temperature
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case minTokens = "min_tokens"
        case stream, stop
        case randomSeed = "random_seed"
        case metadata
        case promptCacheKey = "prompt_cache_key"
    }
}
