/// Tokens a call consumed, as the server counted them.
///
/// Members this version does not name (Mistral adds usage keys over time) are kept in
/// ``additional`` and encoded back, never dropped.
public struct UsageInfo: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// Seconds of audio in the prompt, for audio models.
    public var promptAudioSeconds: Int?
    /// `standard` or `priority`: the tier that served the call.
    public var serviceTier: ServiceTier?
    /// Prompt tokens served from the cache (multiples of 64), billed at 10%.
    public var cachedTokens: Int?
    /// Tokens the model spent reasoning, when reported.
    public var reasoningTokens: Int?
    /// Every other member, exactly as received.
    public var additional: [String: JSONValue]

    public init(
        promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, promptAudioSeconds: Int? = nil,
        serviceTier: ServiceTier? = nil, cachedTokens: Int? = nil, reasoningTokens: Int? = nil,
        additional: [String: JSONValue] = [:]
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? (promptTokens + completionTokens)
        self.promptAudioSeconds = promptAudioSeconds
        self.serviceTier = serviceTier
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
        self.additional = additional
    }

    /// Prompt tokens billed at the full input price.
    public var uncachedPromptTokens: Int { promptTokens - (cachedTokens ?? 0) }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptAudioSeconds = "prompt_audio_seconds"
        case serviceTier = "service_tier"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }

    private struct PromptDetails: Codable { var cached_tokens: Int? }
    private struct CompletionDetails: Codable { var reasoning_tokens: Int? }

    private static let knownKeys: Set<String> = [
        "prompt_tokens", "completion_tokens", "total_tokens", "prompt_audio_seconds", "service_tier",
    ]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        totalTokens = try container.decodeIfPresent(Int.self, forKey: .totalTokens) ?? (promptTokens + completionTokens)
        promptAudioSeconds = try? container.decodeIfPresent(Int.self, forKey: .promptAudioSeconds)
        serviceTier = try? container.decodeIfPresent(ServiceTier.self, forKey: .serviceTier)
        cachedTokens = (try? container.decodeIfPresent(PromptDetails.self, forKey: .promptTokensDetails))??.cached_tokens
        reasoningTokens = (try? container.decodeIfPresent(CompletionDetails.self, forKey: .completionTokensDetails))??
            .reasoning_tokens
        additional = try decoder.unknownMembers(known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var extra = encoder.container(keyedBy: DynamicCodingKey.self)
        for (key, value) in additional where key != "prompt_tokens_details" && key != "completion_tokens_details" {
            try extra.encode(value, forKey: DynamicCodingKey(key))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        try container.encodeIfPresent(promptAudioSeconds, forKey: .promptAudioSeconds)
        try container.encodeIfPresent(serviceTier, forKey: .serviceTier)
        if let cachedTokens {
            var details = additional["prompt_tokens_details"]?.objectValue ?? [:]
            details["cached_tokens"] = .int(cachedTokens)
            try container.encode(JSONValue.object(details), forKey: .promptTokensDetails)
        } else if let details = additional["prompt_tokens_details"] {
            try container.encode(details, forKey: .promptTokensDetails)
        }
        if let reasoningTokens {
            var details = additional["completion_tokens_details"]?.objectValue ?? [:]
            details["reasoning_tokens"] = .int(reasoningTokens)
            try container.encode(JSONValue.object(details), forKey: .completionTokensDetails)
        } else if let details = additional["completion_tokens_details"] {
            try container.encode(details, forKey: .completionTokensDetails)
        }
    }
}

/// Why the model stopped: `stop`, `length`, `model_length`, `error`, `tool_calls`; others kept.
public struct FinishReason: ExtensibleEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let stop: Self = "stop"
    public static let length: Self = "length"
    public static let modelLength: Self = "model_length"
    public static let error: Self = "error"
    public static let toolCalls: Self = "tool_calls"
}
