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
            decoded = try decode(ChatCompletionRequest.self, bytes, RequestSchemas.chatCompletion, streaming: { $0.stream ?? false }, relay: RelayRequest.chat)
        case .fim:
            decoded = try decode(FIMCompletionRequest.self, bytes, RequestSchemas.fimCompletion, streaming: { $0.stream ?? false }, relay: RelayRequest.fim)
        case .embeddings:
            decoded = try decode(EmbeddingRequest.self, bytes, RequestSchemas.embedding, relay: RelayRequest.embeddings)
        case .moderations:
            decoded = try decode(ClassificationRequest.self, bytes, RequestSchemas.classification, relay: RelayRequest.moderations)
        case .classifications:
            decoded = try decode(ClassificationRequest.self, bytes, RequestSchemas.classification, relay: RelayRequest.classifications)
        case .chatModerations:
            decoded = try decode(ChatModerationRequest.self, bytes, RequestSchemas.chatModeration, relay: RelayRequest.chatModerations)
        case .chatClassifications:
            decoded = try decode(ChatClassificationRequest.self, bytes, RequestSchemas.chatClassification, relay: RelayRequest.chatClassifications)
        case .ocr:
            decoded = try decode(OCRRequest.self, bytes, RequestSchemas.ocr, relay: RelayRequest.ocr)
        }
        decoded.user = user
        return decoded
    }

    /// `bytes` validated against `schema` as a `Model`, its model alias resolved, as a relay request.
    private func decode<Model: Decodable & NamesModel>(
        _ type: Model.Type, _ bytes: [UInt8], _ schema: ObjectSchema, streaming: (Model) -> Bool = { _ in false },
        relay: (Model) -> RelayRequest
    ) throws(GatewayFailure) -> DecodedRequest {
        var request: Model
        do {
            request = try validator.decode(type, from: bytes, schema: schema)
        } catch {
            throw GatewayFailure.validation(error.body())
        }
        let requested = request.model
        request.model = aliases[requested] ?? requested
        return DecodedRequest(relay: relay(request), streaming: streaming(request), requestedModel: requested)
    }
}

/// A request body that names its model (every body the gateway relays).
protocol NamesModel {
    var model: String { get set }
}

extension ChatCompletionRequest: NamesModel {}
extension FIMCompletionRequest: NamesModel {}
extension EmbeddingRequest: NamesModel {}
extension ClassificationRequest: NamesModel {}
extension ChatModerationRequest: NamesModel {}
extension ChatClassificationRequest: NamesModel {}
extension OCRRequest: NamesModel {}
