import MistralKit

/// The Mistral API endpoints the gateway relays that take a JSON body.
enum GatewayEndpoint: String, Sendable, CaseIterable {
    case chat = "/v1/chat/completions"
    case fim = "/v1/fim/completions"
    case embeddings = "/v1/embeddings"
    case moderations = "/v1/moderations"
    case chatModerations = "/v1/chat/moderations"
    case classifications = "/v1/classifications"
    case chatClassifications = "/v1/chat/classifications"
    case ocr = "/v1/ocr"

    var path: String { rawValue }
}

/// A request body decoded for relaying.
struct DecodedRequest: Sendable {
    var relay: RelayRequest
    var streaming: Bool
    /// The model asked for, before aliases.
    var requestedModel: String
    /// The `user` an OpenAI-dialect request named.
    var user: String?
}
