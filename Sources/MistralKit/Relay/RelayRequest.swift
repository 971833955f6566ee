/// A call to relay: which endpoint, with its typed body (already validated by the caller).
///
/// ``MistralClient/relay(_:tags:record:)`` sends it through the client's whole path (limits,
/// retries, breakers, fallbacks for chat) and hands back the upstream's answer as bytes.
public enum RelayRequest: Sendable {
    case chat(ChatCompletionRequest)
    case fim(FIMCompletionRequest)
    case embeddings(EmbeddingRequest)
    case moderations(ClassificationRequest)
    case chatModerations(ChatModerationRequest)
    case classifications(ClassificationRequest)
    case chatClassifications(ChatClassificationRequest)
    case ocr(OCRRequest)
    case listModels
    case retrieveModel(id: String)

    /// The model asked for, when the endpoint names one.
    public var model: String? {
        switch self {
        case .chat(let request): request.model
        case .fim(let request): request.model
        case .embeddings(let request): request.model
        case .moderations(let request), .classifications(let request): request.model
        case .chatModerations(let request): request.model
        case .chatClassifications(let request): request.model
        case .ocr(let request): request.model
        case .listModels: nil
        case .retrieveModel(let id): id
        }
    }

    /// The usage record's endpoint name: `chat`, `chat.stream`, `fim`, `embeddings`, ...
    public func operation(streaming: Bool) -> String {
        let name =
            switch self {
            case .chat: "chat"
            case .fim: "fim"
            case .embeddings: "embeddings"
            case .moderations: "moderations"
            case .chatModerations: "chat.moderations"
            case .classifications: "classifications"
            case .chatClassifications: "chat.classifications"
            case .ocr: "ocr"
            case .listModels: "models.list"
            case .retrieveModel: "models.retrieve"
            }
        return streaming ? name + ".stream" : name
    }
}

/// What a relayed call is expected to use, before it is sent: what a budget reserves.
public struct CallEstimate: Sendable, Hashable {
    /// Prompt tokens: counted exactly when the client's counter is exact, else estimated.
    public var promptTokens: Int
    /// The most completion tokens the call may use: `max_tokens`, else what is left of the
    /// model's context window, else the client's assumption.
    public var completionTokens: Int
    /// The cost of both at the client's prices; `nil` when the model has no price.
    public var costUSD: Double?

    public init(promptTokens: Int, completionTokens: Int, costUSD: Double?) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
    }
}
