/// `stop`: one sequence or several.
public enum StopSequences: Sendable, Hashable, Codable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    case one(String)
    case many([String])

    public init(stringLiteral value: String) { self = .one(value) }
    public init(arrayLiteral elements: String...) { self = .many(elements) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            self = .one(one)
        } else {
            self = .many(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .one(let value): try container.encode(value)
        case .many(let values): try container.encode(values)
        }
    }

    /// The sequences as a list.
    public var values: [String] {
        switch self {
        case .one(let value): [value]
        case .many(let values): values
        }
    }
}

/// How hard a reasoning model thinks: `none`, `minimal`, `low`, `medium`, `high`, `xhigh`.
public struct ReasoningEffort: ExtensibleEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none: Self = "none"
    public static let minimal: Self = "minimal"
    public static let low: Self = "low"
    public static let medium: Self = "medium"
    public static let high: Self = "high"
    public static let xhigh: Self = "xhigh"
}

/// The requested tier: `auto` may use Priority Tier (billed 1.75x), `standard_only` never does.
public struct ServiceTier: ExtensibleEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let auto: Self = "auto"
    public static let standardOnly: Self = "standard_only"
    /// Reported in `usage.service_tier` of a response.
    public static let standard: Self = "standard"
    public static let priority: Self = "priority"
}

/// Predicted output: text the answer is expected to largely repeat, which speeds it up.
public struct Prediction: Sendable, Hashable, Codable {
    /// The wire `type` discriminator.
    public var type: String
    /// The content text.
    public var content: String
    public init(content: String) {
        self.type = "content"
        self.content = content
    }
}

/// A server-side moderation guardrail applied to the request and answer.
public struct GuardrailConfig: Sendable, Hashable, Codable {
    /// When true, a moderation failure on the server answers 403 instead of passing.
    public var blockOnError: Bool?
    /// Settings of the first-generation moderation model.
    public var moderationLLMV1: ModerationLLMConfig?
    /// Settings of the second-generation moderation model.
    public var moderationLLMV2: ModerationLLMConfig?

    public init(blockOnError: Bool? = nil, moderationLLMV1: ModerationLLMConfig? = nil, moderationLLMV2: ModerationLLMConfig? = nil) {
        self.blockOnError = blockOnError
        self.moderationLLMV1 = moderationLLMV1
        self.moderationLLMV2 = moderationLLMV2
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case blockOnError = "block_on_error"
        case moderationLLMV1 = "moderation_llm_v1"
        case moderationLLMV2 = "moderation_llm_v2"
    }
}

/// Settings of one moderation model inside a guardrail.
public struct ModerationLLMConfig: Sendable, Hashable, Codable {
    /// The moderation model to use.
    public var modelName: String?
    /// Category name to score threshold, e.g. `["violence_and_threats": 0.2]`.
    public var customCategoryThresholds: [String: Double]?
    /// Only flag the categories given thresholds.
    public var ignoreOtherCategories: Bool?
    /// `none` (report only) or `block`.
    public var action: String?

    public init(modelName: String? = nil, customCategoryThresholds: [String: Double]? = nil, ignoreOtherCategories: Bool? = nil, action: String? = nil) {
        self.modelName = modelName
        self.customCategoryThresholds = customCategoryThresholds
        self.ignoreOtherCategories = ignoreOtherCategories
        self.action = action
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case modelName = "model_name"
        case customCategoryThresholds = "custom_category_thresholds"
        case ignoreOtherCategories = "ignore_other_categories"
        case action
    }
}
