import Hummingbird
import MistralKit

extension EmulatedAPI {
    /// The largest `output_dimension` the emulator honours (codestral-embed's maximum).
    static let maximumEmbeddingDimension = 3072

    /// `POST /v1/embeddings`: feature-hashed vectors in the requested dtype and encoding.
    func embeddings(_ context: EmulatorRequestContext) async throws -> Response {
        let request = try decodeBody(EmbeddingRequest.self, from: context.body, schema: RequestSchemas.embedding)
        guard let card = catalog.card(named: request.model),
            let defaultDimension = catalog.embeddingDimension(of: request.model)
        else {
            throw APIFailure.invalidModel(request.model)
        }
        let dimension = request.outputDimension ?? defaultDimension
        guard dimension <= Self.maximumEmbeddingDimension else {
            throw APIFailure.badRequest(
                "output_dimension \(dimension) is larger than the maximum of \(Self.maximumEmbeddingDimension) for model \(request.model)")
        }
        let counts = request.input.map(TokenEstimator.count)
        let window = card.maxContextLength ?? 8_192
        if let longest = counts.max(), longest > window {
            throw APIFailure.contextOverflow(promptTokens: longest, maxTokens: 0, contextLength: window)
        }
        let promptTokens = counts.reduce(0, +)
        try admit(promptTokens: promptTokens)
        let dtype = request.outputDtype ?? .float
        let embedder = FeatureHashEmbedder(dimension: dimension)
        let data = request.input.enumerated().map { index, text -> EmbeddingData in
            let values = FeatureHashEmbedder.convert(embedder.embed(text), to: dtype)
            if request.encodingFormat == .base64 {
                return EmbeddingData(index: index, embedding: [], base64: EmbeddingPacking.pack(values, dtype: dtype))
            }
            return EmbeddingData(index: index, embedding: values)
        }
        let response = EmbeddingResponse(
            id: CompletionGenerator.newID(), model: request.model, data: data,
            usage: UsageInfo(promptTokens: promptTokens, completionTokens: 0))
        return try await respond(try .json(response), headers: charge(promptTokens), context)
    }
}
