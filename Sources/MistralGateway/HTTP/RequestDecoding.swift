import MistralKit

/// Turns a request body into a typed request the way Mistral validates it: the OpenAI
/// dialect translated, then a 422 with `detail` for anything Mistral would refuse; model
/// aliases resolved.
struct RequestDecoding: Sendable {
    let aliases: [String: String]
    let validator = RequestValidator()

    func decode(_ endpoint: GatewayEndpoint, body: [UInt8]) throws(GatewayFailure) -> DecodedRequest {
        var bytes = body
        var user: String?
        if endpoint == .chat || endpoint == .fim, OpenAIDialect.needsTranslation(body), let tree = try? JSONParser.parse(body) {
            let translated = OpenAIDialect.translate(tree)
            user = translated.user
            if let encoded = try? Array(JSONCoding.encode(translated.body)) { bytes = encoded }
        }
        var decoded: DecodedRequest
        switch endpoint {
        case .chat:
            var request = try validated(ChatCompletionRequest.self, bytes, RequestSchemas.chatCompletion)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(relay: .chat(request), streaming: request.stream ?? false, requestedModel: requested)
        case .fim:
            var request = try validated(FIMCompletionRequest.self, bytes, RequestSchemas.fimCompletion)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(relay: .fim(request), streaming: request.stream ?? false, requestedModel: requested)
        case .embeddings:
            var request = try validated(EmbeddingRequest.self, bytes, RequestSchemas.embedding)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(relay: .embeddings(request), streaming: false, requestedModel: requested)
        case .moderations, .classifications:
            var request = try validated(ClassificationRequest.self, bytes, RequestSchemas.classification)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(
                relay: endpoint == .moderations ? .moderations(request) : .classifications(request), streaming: false, requestedModel: requested)
        case .chatModerations:
            var request = try validated(ChatModerationRequest.self, bytes, RequestSchemas.chatModeration)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(relay: .chatModerations(request), streaming: false, requestedModel: requested)
        case .chatClassifications:
            var request = try validated(ChatClassificationRequest.self, bytes, RequestSchemas.chatClassification)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(relay: .chatClassifications(request), streaming: false, requestedModel: requested)
        case .ocr:
            var request = try validated(OCRRequest.self, bytes, RequestSchemas.ocr)
            let requested = request.model
            request.model = aliases[requested] ?? requested
            decoded = DecodedRequest(relay: .ocr(request), streaming: false, requestedModel: requested)
        }
        decoded.user = user
        return decoded
    }

    private func validated<Model: Decodable>(_ type: Model.Type, _ bytes: [UInt8], _ schema: ObjectSchema) throws(GatewayFailure) -> Model {
        do {
            return try validator.decode(type, from: bytes, schema: schema)
        } catch {
            throw GatewayFailure.validation(error.body())
        }
    }
}
