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
    private let primary: ResolvedUpstream
    /// The pricing context of calls to `primary`, worked out once.
    private let primaryPricing: PricingContext
    /// The headers of requests to `primary`, made once: without and with a body, then the
    /// same two for streams.
    private let primaryHeaders: [HTTPHeaders]

    /// Creates a client. Without a `transport`, an ``AsyncHTTPClientTransport`` with the
    /// configuration's timeouts is used.
    public init(configuration: Configuration, transport: (any MistralTransport)? = nil) {
        self.configuration = configuration
        self.configurationError = Self.check(configuration)
        self.transport =
            transport
            ?? AsyncHTTPClientTransport(
                connectTimeout: configuration.timeouts.connect, readIdleTimeout: configuration.timeouts.readIdle)
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
        try await routeChat(request, streaming: false, tags: tags) { try await self.complete($0, call: $1, upstream: $2, answeredBy: $3) }
    }

    /// `POST /v1/chat/completions` with `stream: true`. Returns once the response head arrived
    /// (HTTP errors throw here, after retries and fallbacks); the chunks arrive as you iterate.
    /// A failure after the first chunk is never retried: it throws with the partial answer.
    public func chatStream(_ request: ChatCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionStream {
        try await routeChat(request, streaming: true, tags: tags) { try await self.openStream($0, call: $1, upstream: $2, answeredBy: $3) }
    }

    /// `POST /v1/fim/completions`: code between `prompt` and `suffix`.
    public func fim(_ request: FIMCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionResponse {
        var request = request
        request.stream = false
        let call = fimCall(request, operation: "fim", tags: tags)
        return try await complete(request, call: call, upstream: primary, answeredBy: nil)
    }

    /// `POST /v1/fim/completions` with `stream: true`.
    public func fimStream(_ request: FIMCompletionRequest, tags: [String: String] = [:]) async throws -> ChatCompletionStream {
        var request = request
        request.stream = true
        let call = fimCall(request, operation: "fim.stream", tags: tags)
        return try await openStream(request, call: call, upstream: primary, answeredBy: nil)
    }

    /// `POST /v1/ocr`: a PDF or an image read into Markdown, page by page. Billed per page, so no
    /// tokens are recorded; the call goes through the same retries, limits and breakers as any other.
    public func ocr(_ request: OCRRequest, tags: [String: String] = [:]) async throws -> OCRResponse {
        try await run(plainCall("ocr", .POST, "/v1/ocr", model: request.model, tags: tags), body: request, model: { $0.model })
    }

    /// `POST /v1/embeddings`. Base64 answers are unpacked into numbers using the request's dtype.
    public func embeddings(_ request: EmbeddingRequest, tags: [String: String] = [:]) async throws -> EmbeddingResponse {
        let texts = request.input
        var call = plainCall("embeddings", .POST, "/v1/embeddings", model: request.model, metered: true, tags: tags)
        call.genAIOperation = "embeddings"
        call.prompt = promptCount(of: texts)
        var response: EmbeddingResponse = try await run(
            call, body: request, usage: { $0.usage }, model: { $0.model })
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
        let list: ModelList = try await run(plainCall("models.list", .GET, "/v1/models", model: nil), body: Optional<JSONValue>.none)
        return list.data
    }

    /// `GET /v1/models/{id}`.
    public func retrieveModel(id: String) async throws -> ModelCard {
        try await run(plainCall("models.retrieve", .GET, "/v1/models/\(Self.escapePath(id))", model: id), body: Optional<JSONValue>.none)
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

    // MARK: - Requests

    /// The HTTP request a call would send, e.g. to render with ``CurlCommand``.
    /// Throws `.invalidRequest` when the body cannot be encoded.
    public func prepare<Body: Encodable>(_ method: HTTPMethod, _ path: String, body: Body?, streaming: Bool = false) throws
        -> HTTPRequestDescription
    {
        try prepare(method, path, bytes: try body.map { try Self.encode($0, dialect: .mistral) }, streaming: streaming, upstream: primary)
    }

    func prepare(_ method: HTTPMethod, _ path: String, bytes: [UInt8]?, streaming: Bool, upstream: ResolvedUpstream) throws
        -> HTTPRequestDescription
    {
        // The primary upstream's four sets of headers were made once, in `init`.
        let headers =
            upstream.isPrimary
            ? primaryHeaders[(streaming ? 2 : 0) + (bytes != nil ? 1 : 0)]
            : Self.headers(apiKey: upstream.apiKey, streaming: streaming, hasBody: bytes != nil, configuration: configuration)
        return HTTPRequestDescription(method: method, url: upstream.baseURL + path, headers: headers, body: bytes)
    }

    /// The headers of a request to an upstream with this key.
    private static func headers(apiKey: String?, streaming: Bool, hasBody: Bool, configuration: Configuration) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let key = apiKey, !key.isEmpty { headers.add(name: "Authorization", value: "Bearer \(key)") }
        headers.add(name: "User-Agent", value: configuration.userAgent)
        // JSON is what every endpoint answers by default; a stream says what it expects.
        if streaming { headers.add(name: "Accept", value: "text/event-stream") }
        if hasBody { headers.add(name: "Content-Type", value: "application/json") }
        for (name, value) in configuration.defaultHeaders { headers.replaceOrAdd(name: name, value: value) }
        return headers
    }

    /// The curl command for a chat request (streamed or not); the key is redacted unless `revealKey`.
    public func curlCommand(for request: ChatCompletionRequest, stream: Bool = false, revealKey: Bool = false) throws -> String {
        var request = request
        request.stream = stream
        return CurlCommand.render(try prepare(.POST, "/v1/chat/completions", body: request, streaming: stream), revealKey: revealKey)
    }

    static func encode<Body: Encodable>(_ body: Body, dialect: Upstream.Dialect) throws -> [UInt8] {
        do {
            switch dialect {
            case .mistral:
                return try JSONCoding.encodeBytes(body)
            case .openAICompatible:
                let tree = try JSONCoding.decode(JSONValue.self, from: try JSONCoding.encodeBytes(body))
                return try JSONCoding.encodeBytes(OpenAICompatibleMapping.request(tree))
            }
        } catch {
            throw MistralError(kind: .invalidRequest, message: "The request could not be encoded: \(error)", underlying: error)
        }
    }

    // MARK: - Calls

    private func plainCall(
        _ operation: String, _ method: HTTPMethod, _ path: String, model: String?, metered: Bool = false, tags: [String: String] = [:]
    ) -> CallInfo {
        CallInfo(
            operation: operation, genAIOperation: nil, method: method, path: path, model: model, streaming: false,
            tags: UsageTags.resolved(tags), metered: metered, completionReserve: 0, pricing: pricing(for: primary))
    }

    private func classifierCall(_ operation: String, _ path: String, _ model: String, _ texts: [String], _ tags: [String: String]) -> CallInfo {
        var call = plainCall(operation, .POST, path, model: model, metered: true, tags: tags)
        call.prompt = promptCount(of: texts)
        return call
    }

    /// Runs a chat call on the requested model, then on each fallback route, with the request
    /// and the call's description adjusted to the route.
    private func routeChat<Result>(
        _ request: ChatCompletionRequest, streaming: Bool, tags: [String: String],
        _ body: (ChatCompletionRequest, CallInfo, ResolvedUpstream, AnsweredBy?) async throws -> Result
    ) async throws -> Result {
        var request = request
        request.stream = streaming
        return try await withFallbacks(model: request.model) { model, upstream, answeredBy in
            var routed = request
            routed.model = model
            let call = chatCall(routed, operation: streaming ? "chat.stream" : "chat", tags: tags, upstream: upstream)
            try checkContextWindow(routed, prompt: call.prompt)
            return try await body(routed, call, upstream, answeredBy)
        }
    }

    private func chatCall(_ request: ChatCompletionRequest, operation: String, tags: [String: String], upstream: ResolvedUpstream) -> CallInfo {
        var call = plainCall(operation, .POST, "/v1/chat/completions", model: request.model, metered: true, tags: tags)
        call.genAIOperation = "chat"
        call.streaming = request.stream == true
        call.pricing = pricing(for: upstream, tier: request.serviceTier)
        let counter = configuration.tokenCounter
        call.prompt = PromptTokenCount { (try? counter.promptTokens(for: request)) ?? 0 }
        call.completionReserve = request.maxTokens ?? configuration.budget?.assumedCompletionTokens ?? 0
        call.maxTokens = request.maxTokens
        call.temperature = request.temperature
        return call
    }

    /// Refuses a request that cannot fit its model's context, when the count is exact.
    private func checkContextWindow(_ request: ChatCompletionRequest, prompt: PromptTokenCount) throws {
        guard configuration.tokenCounter.isExact, let window = configuration.contextWindows[request.model] else { return }
        let promptTokens = prompt.value
        let needed = promptTokens + (request.maxTokens ?? 0)
        guard needed > window else { return }
        let detail = request.maxTokens.map { " plus max_tokens \($0)" } ?? ""
        throw MistralError(
            kind: .contextOverflow,
            message: "The prompt is \(promptTokens) tokens\(detail), \(needed) in all: more than the \(window)-token context of \(request.model). Nothing was sent.")
    }

    private func fimCall(_ request: FIMCompletionRequest, operation: String, tags: [String: String]) -> CallInfo {
        var call = plainCall(operation, .POST, "/v1/fim/completions", model: request.model, metered: true, tags: tags)
        call.genAIOperation = "text_completion"
        call.streaming = request.stream == true
        let counter = configuration.tokenCounter
        call.prompt = PromptTokenCount { counter.tokens(in: request.prompt + (request.suffix ?? "")) }
        call.completionReserve = request.maxTokens ?? configuration.budget?.assumedCompletionTokens ?? 0
        call.maxTokens = request.maxTokens
        call.temperature = request.temperature
        return call
    }

    private func promptCount(of texts: [String]) -> PromptTokenCount {
        let counter = configuration.tokenCounter
        return PromptTokenCount { texts.reduce(0) { $0 + counter.tokens(in: $1) } }
    }

    private func pricing(for upstream: ResolvedUpstream, tier: ServiceTier? = nil) -> PricingContext {
        var pricing = upstream.name == primary.name ? primaryPricing : Self.pricing(configuration.pricing, for: upstream)
        if tier == .priority { pricing.priority = true }
        return pricing
    }

    /// `base` for calls to `upstream`: regional prices on Mistral's EU and US servers.
    private static func pricing(_ base: PricingContext, for upstream: ResolvedUpstream) -> PricingContext {
        var pricing = base
        if upstream.dialect == .mistral, [MistralServer.eu, .us].contains(MistralServer(baseURL: upstream.baseURL)) { pricing.regional = true }
        return pricing
    }

    /// A non-streamed call to the client's own upstream: execute, read, decode, record.
    private func run<Body: Encodable, Response: Decodable>(
        _ call: CallInfo, body: Body?, usage: (Response) -> UsageInfo? = { _ in nil }, model: (Response) -> String? = { _ in nil }
    ) async throws -> Response {
        try await run(call, bytes: try body.map { try Self.encode($0, dialect: primary.dialect) }, upstream: primary, answeredBy: nil, usage: usage, model: model)
    }

    private func complete<Body: Encodable>(
        _ body: Body, call: CallInfo, upstream: ResolvedUpstream, answeredBy: AnsweredBy?
    ) async throws -> ChatCompletionResponse {
        var response: ChatCompletionResponse = try await run(
            call, bytes: try Self.encode(body, dialect: upstream.dialect), upstream: upstream, answeredBy: answeredBy,
            usage: { $0.usage }, model: { $0.model })
        response.answeredBy = answeredBy
        return response
    }

    private func run<Response: Decodable>(
        _ call: CallInfo, bytes: [UInt8]?, upstream: ResolvedUpstream, answeredBy: AnsweredBy?, usage: (Response) -> UsageInfo?,
        model: (Response) -> String?
    ) async throws -> Response {
        let admitted = try await execute(body: bytes, call: call, upstream: upstream, answeredBy: answeredBy)
        let response: Response = try await read(admitted, call: call, dialect: upstream.dialect)
        admitted.tracker.finish(usage: usage(response), responseModel: model(response), error: nil)
        return response
    }

    /// Reads and decodes a 2xx body; on failure the tracker records the error (with estimated usage).
    private func read<Response: Decodable>(_ admitted: Admitted, call: CallInfo, dialect: Upstream.Dialect) async throws -> Response {
        let response = admitted.response
        let bytes: [UInt8]
        do {
            bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch {
            var mapped = AsyncHTTPClientTransport.map(error)
            mapped.requestID = admitted.requestID
            admitted.tracker.finish(usage: nil, responseModel: nil, error: mapped)
            throw mapped
        }
        if configuration.logger.logLevel <= .trace {
            configuration.logger.trace("response body", metadata: ["body": "\(redact(String(decoding: bytes, as: UTF8.self)))"])
        }
        do {
            if dialect == .openAICompatible {
                let tree = OpenAICompatibleMapping.response(try JSONParser.parse(bytes))
                return try JSONCoding.decode(Response.self, from: try JSONCoding.encodeBytes(tree))
            }
            return try JSONCoding.decode(Response.self, from: bytes)
        } catch {
            let mapped = MistralError(
                kind: .undecodableResponse,
                message: "The \(response.status) response to \(call.method.rawValue) \(call.path) is not a valid \(Response.self): \(Self.summary(of: error))",
                status: response.status, requestID: admitted.requestID, bodySnippet: ErrorResponse.snippet(bytes),
                underlying: error)
            admitted.tracker.finish(usage: nil, responseModel: nil, error: mapped)
            throw mapped
        }
    }

    private func openStream<Body: Encodable>(
        _ body: Body, call: CallInfo, upstream: ResolvedUpstream, answeredBy: AnsweredBy?
    ) async throws -> ChatCompletionStream {
        let bytes = try Self.encode(body, dialect: upstream.dialect)
        let admitted = try await execute(body: bytes, call: call, upstream: upstream, answeredBy: answeredBy)
        let response = admitted.response
        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        if !contentType.contains("text/event-stream") {
            // A proxy may answer 200 with JSON; a stream needs events.
            let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? []
            let error = MistralError(
                kind: .undecodableResponse,
                message: "Expected an event stream but got content type '\(contentType.isEmpty ? "none" : contentType)'.",
                status: response.status, requestID: admitted.requestID, bodySnippet: ErrorResponse.snippet(bytes))
            admitted.tracker.finish(usage: nil, responseModel: nil, error: error)
            throw error
        }
        return ChatCompletionStream(
            body: response.body, requestID: admitted.requestID, logger: configuration.logger, tracker: admitted.tracker,
            answeredBy: answeredBy)
    }

    /// Runs `attempt` on the requested model, then on each fallback route while the failure
    /// is one another route may not have.
    private func withFallbacks<Result>(
        model: String, _ attempt: (String, ResolvedUpstream, AnsweredBy?) async throws -> Result
    ) async throws -> Result {
        guard !configuration.fallbacks.isEmpty else { return try await attempt(model, primary, nil) }
        let routes = [FallbackRoute(model: model)] + configuration.fallbacks
        var skipped: [String] = []
        for (index, route) in routes.enumerated() {
            let upstream = route.upstream.map { upstream in
                ResolvedUpstream(
                    name: upstream.name, baseURL: upstream.server.baseURL, apiKey: upstream.apiKey, dialect: upstream.dialect,
                    prices: upstream.prices ?? configuration.prices)
            } ?? primary
            let answeredBy = AnsweredBy(upstream: upstream.name, model: route.model, routeIndex: index, skipped: skipped)
            do {
                return try await attempt(route.model, upstream, answeredBy)
            } catch let error as MistralError where index < routes.count - 1 && Self.fallsBack(error) {
                configuration.logger.info(
                    "falling back", metadata: ["from": "\(upstream.name)/\(route.model)", "error": "\(error.kind)"])
                skipped.append("\(upstream.name)/\(route.model): \(error.kind)")
            }
        }
        preconditionFailure("the last route either returns or throws")
    }

    /// Failures another model or provider may not have.
    static func fallsBack(_ error: MistralError) -> Bool {
        [.rateLimited, .quotaExhausted, .server, .timeout, .connection, .circuitOpen, .rateLimitWait, .notFound].contains(error.kind)
    }

    private static func check(_ configuration: Configuration) -> MistralError? {
        let official = [MistralServer.global, .eu, .us].contains(configuration.server)
        if official, (configuration.apiKey ?? "").isEmpty {
            return MistralError(
                kind: .configuration,
                message: "No API key for \(configuration.server): pass one in the configuration, --api-key, or MISTRAL_API_KEY.")
        }
        guard let url = URL(string: configuration.server.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            return MistralError(
                kind: .configuration, message: "The base URL '\(configuration.server.baseURL)' is not an http(s) URL.")
        }
        return nil
    }

    /// Replaces the API key wherever it appears in logged text.
    func redact(_ text: String) -> String {
        guard let key = configuration.apiKey, key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "***")
    }

    static func requestID(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "mistral-correlation-id") ?? headers.first(name: "x-request-id")
    }

    static func escapePath(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }

    /// A decoding error in one line: what and where.
    static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let rendered = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return rendered.isEmpty ? "the top level" : rendered
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context): return "null where \(type) was expected at \(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
