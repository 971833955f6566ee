import MistralKit

/// The completion settings of an agent or a conversation beyond temperature and the answer's
/// length (part of Mistral's `completion_args`), applied to every model call of a turn.
public struct CompletionArguments: Sendable, Hashable, Codable {
    public var topP: Double?
    public var stop: StopSequences?
    public var randomSeed: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var responseFormat: ResponseFormat?

    public init(
        topP: Double? = nil, stop: StopSequences? = nil, randomSeed: Int? = nil, presencePenalty: Double? = nil,
        frequencyPenalty: Double? = nil, responseFormat: ResponseFormat? = nil
    ) {
        self.topP = topP
        self.stop = stop
        self.randomSeed = randomSeed
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.responseFormat = responseFormat
    }

    private enum CodingKeys: String, CodingKey {
        case topP = "top_p"
        case stop
        case randomSeed = "random_seed"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case responseFormat = "response_format"
    }

    /// `request` with these settings set.
    func apply(to request: inout ChatCompletionRequest) {
        if let topP { request.topP = topP }
        if let stop { request.stop = stop }
        if let randomSeed { request.randomSeed = randomSeed }
        if let presencePenalty { request.presencePenalty = presencePenalty }
        if let frequencyPenalty { request.frequencyPenalty = frequencyPenalty }
        if let responseFormat { request.responseFormat = responseFormat }
    }
}
