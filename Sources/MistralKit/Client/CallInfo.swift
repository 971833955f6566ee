import NIOHTTP1

/// What the call pipeline knows about one call before sending it.
struct CallInfo: Sendable {
    /// `chat`, `chat.stream`, `fim`, `embeddings`, `models.list`, ...
    var operation: String
    /// The GenAI operation name for spans (`chat`, `text_completion`, `embeddings`), or nil.
    var genAIOperation: String?
    var method: HTTPMethod
    var path: String
    var model: String?
    var streaming: Bool
    var tags: [String: String]
    /// Whether usage is recorded (generation and embedding calls).
    var metered: Bool
    /// Estimated prompt tokens, counted when first needed.
    var prompt: PromptTokenCount = .zero
    var promptEstimate: Int { prompt.value }
    /// Completion tokens the call may use (`max_tokens`, or an assumption).
    var completionReserve: Int
    var pricing: PricingContext
    /// Request attributes for the call span.
    var spanAttributes: [(String, String)] = []
    var maxTokens: Int?
    var temperature: Double?
    /// Where the call goes: the client's own upstream or a fallback's.
    var upstream: ResolvedUpstream
    /// Which fallback route this is, when the client has fallbacks.
    var answeredBy: AnsweredBy?
    /// Hears the call's usage record when it ends (relayed calls: the gateway's ledger row).
    var recorder: (@Sendable (UsageRecord) -> Void)?

    var tokenReservation: Int { promptEstimate + completionReserve }
}
