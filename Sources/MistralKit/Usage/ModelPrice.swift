/// What a model costs, in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    /// Prompt tokens.
    public var inputPerMillion: Double
    /// Completion tokens (0 for embedding models).
    public var outputPerMillion: Double
    /// Cached prompt tokens, when the model has its own price for them; otherwise the table's
    /// ``PriceTable/cachedInputFraction`` of the input price.
    public var cachedInputPerMillion: Double?

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
    }

    enum CodingKeys: String, CodingKey {
        case inputPerMillion = "input"
        case outputPerMillion = "output"
        case cachedInputPerMillion = "cached_input"
    }
}
