import Foundation
import Tracing
import Logging
import NIOCore
import NIOHTTP1

/// A typed async client for the Mistral API.
///
/// Every call either returns the decoded response or throws ``MistralError``, whose
/// ``MistralError/kind`` says what went wrong (rate limited, validation with details, auth,
/// timeout, truncated stream, ...). The client is `Sendable`: share one per process. Call
/// ``shutdown()`` before it is released.
///
/// ```swift
/// let client = MistralClient(configuration: .init(apiKey: key))
/// let answer = try await client.chat(.init(model: "mistral-small-latest", messages: [.user("Hi")]))
/// print(answer.text)
/// try await client.shutdown()
/// ```
public final class MistralClient: Sendable {
    /// This library's version, sent in the default user agent.
    public static let version = "0.1.0"

    public let configuration: Configuration
    let transport: any MistralTransport
    /// Why every call must fail before sending (no key for Mistral's API, a bad base URL);
    /// checked once here rather than on every request.
    let configurationError: MistralError?
    let metrics: ClientMetrics
    let tracer: any Tracer
    /// False for the no-op tracer (the default): then no span name is built and no span made.
    let tracing: Bool
    let timeline: Timeline
    let responseTimes = ResponseTimeEstimate()
    /// The client's own upstream (its server and key).
    let primary: ResolvedUpstream
    /// The pricing context of calls to `primary`, worked out once.
    let primaryPricing: PricingContext
    /// The headers of requests to `primary`, made once: without and with a body, then the
    /// same two for streams.
    let primaryHeaders: [HTTPHeaders]

    /// Creates a client. Without a `transport`, an ``AsyncHTTPClientTransport`` with the
    /// configuration's timeouts is used.
    public init(configuration: Configuration, transport: (any MistralTransport)? = nil) {
        self.configuration = configuration
        self.configurationError = Self.check(configuration)
        self.transport =
            transport
            ?? AsyncHTTPClientTransport(
                connectTimeout: configuration.timeouts.connect, readIdleTimeout: configuration.timeouts.readIdle,
                maxConnectionsPerHost: configuration.maxConnectionsPerHost)
        self.metrics = ClientMetrics(factory: configuration.metricsFactory)
        self.tracer = configuration.tracer ?? InstrumentationSystem.tracer
        self.tracing = !(tracer is NoOpTracer)
        self.timeline = .of(configuration.clock)
        self.primary = ResolvedUpstream(
            name: Self.primaryUpstreamName, baseURL: configuration.server.baseURL, apiKey: configuration.apiKey,
            dialect: .mistral, prices: configuration.prices, isPrimary: true)
        self.primaryPricing = Self.pricing(configuration.pricing, for: primary)
        self.primaryHeaders = [false, true].flatMap { streaming in
            [false, true].map { hasBody in
                Self.headers(apiKey: configuration.apiKey, streaming: streaming, hasBody: hasBody, configuration: configuration)
            }
        }
    }

    /// Releases the connection pool. Calls made afterwards fail.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: - Endpoints

    /// `POST /v1/chat/completions`, answered in one response.
    ///
    /// Retries, the rate limiter, breakers and fallbacks apply; usage and cost are recorded
    /// with the current ``UsageTags`` merged with `tags`.
    public func chat(_ request: ChatCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionResponse {
        var routes = fallbackRoutes(for: request.model)
        while true {
            do { return try await complete(try chatCall(request, streaming: false, tags: tags, on: routes.current)) } catch {
                try routes.fallBack(after: error, logger: configuration.logger)
            }
        }
    }

    /// `POST /v1/chat/completions` with `stream: true`. Returns once the response head arrived
    /// (HTTP errors throw here, after retries and fallbacks); the chunks arrive as you iterate.
    /// A failure after the first chunk is never retried: it throws with the partial answer.
    public func chatStream(_ request: ChatCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionStream {
        var routes = fallbackRoutes(for: request.model)
        while true {
            do { return try await openStream(try chatCall(request, streaming: true, tags: tags, on: routes.current)) } catch {
                try routes.fallBack(after: error, logger: configuration.logger)
            }
        }
    }

    /// `POST /v1/fim/completions`: code between `prompt` and `suffix`.
    public func fim(_ request: FIMCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionResponse {
        try await complete(fimCall(request, streaming: false, tags: tags))
    }

    /// `POST /v1/fim/completions` with `stream: true`.
    public func fimStream(_ request: FIMCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionStream {
        try await openStream(fimCall(request, streaming: true, tags: tags))
    }

    /// `POST /v1/ocr`: a PDF or an image read into Markdown, page by page. Billed per page, so no
    /// tokens are recorded; the call goes through the same retries, limits and breakers as any other.
    public func ocr(_ request: OCRRequest, tags: [String: String] = [:]) async throws -> OCRResponse {
        try await run(ocrCall(request, tags: tags), body: request, model: { $0.model })
    }

    /// `POST /v1/embeddings`. Base64 answers are unpacked into numbers using the request's dtype.
    public func embeddings(_ request: EmbeddingRequest, tags: [String: String] = [:]) async throws -> EmbeddingResponse {
        var response: EmbeddingResponse = try await run(
            embeddingsCall(request, tags: tags), body: request, usage: { $0.usage }, model: { $0.model })
        let dtype = request.outputDtype ?? .float
        for position in response.data.indices {
            guard let base64 = response.data[position].base64 else { continue }
            guard let values = EmbeddingPacking.unpack(base64, dtype: dtype) else {
                throw MistralError(
                    kind: .undecodableResponse, message: "Embedding \(position) is not valid base64 \(dtype) data.",
                    bodySnippet: String(base64.prefix(ErrorResponse.snippetLength)))
            }
            response.data[position].embedding = values
        }
        return response
    }

    /// `GET /v1/models`: the models this key may use.
    public func listModels() async throws -> [ModelCard] {
        let list: ModelList = try await run(listModelsCall, body: Optional<JSONValue>.none)
        return list.data
    }

    /// `GET /v1/models/{id}`.
    public func retrieveModel(id: String) async throws -> ModelCard {
        try await run(retrieveModelCall(id), body: Optional<JSONValue>.none)
    }

    /// `DELETE /v1/models/{id}`: deletes a fine-tuned model (base models answer 403).
    public func deleteModel(id: String) async throws -> DeletedModel {
        try await run(plainCall("models.delete", .DELETE, "/v1/models/\(Self.escapePath(id))", model: id), body: Optional<JSONValue>.none)
    }

    /// `POST /v1/moderations`: moderation categories for texts.
    public func moderations(_ request: ClassificationRequest, tags: [String: String] = [:]) async throws -> ModerationResponse {
        try await run(classifierCall("moderations", "/v1/moderations", request.model, request.input, tags), body: request)
    }

    /// `POST /v1/chat/moderations`: moderation categories for conversations.
    public func chatModerations(_ request: ChatModerationRequest, tags: [String: String] = [:]) async throws -> ModerationResponse {
        try await run(classifierCall("chat.moderations", "/v1/chat/moderations", request.model, [], tags), body: request)
    }

    /// `POST /v1/classifications`: a custom classifier over texts.
    public func classifications(_ request: ClassificationRequest, tags: [String: String] = [:]) async throws -> ClassificationResponse {
        try await run(classifierCall("classifications", "/v1/classifications", request.model, request.input, tags), body: request)
    }

    /// `POST /v1/chat/classifications`: a custom classifier over conversations.
    public func chatClassifications(_ request: ChatClassificationRequest, tags: [String: String] = [:]) async throws -> ClassificationResponse {
        try await run(classifierCall("chat.classifications", "/v1/chat/classifications", request.model, [], tags), body: request)
    }
}
