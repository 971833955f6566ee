import Foundation
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
    private let transport: any MistralTransport
    /// Why every call must fail before sending (no key for Mistral's API, a bad base URL);
    /// checked once here rather than on every request.
    private let configurationError: MistralError?

    /// Creates a client. Without a `transport`, an ``AsyncHTTPClientTransport`` with the
    /// configuration's timeouts is used.
    public init(configuration: Configuration, transport: (any MistralTransport)? = nil) {
        self.configuration = configuration
        self.configurationError = Self.check(configuration)
        self.transport =
            transport
            ?? AsyncHTTPClientTransport(
                connectTimeout: configuration.timeouts.connect, readIdleTimeout: configuration.timeouts.readIdle)
    }

    /// Releases the connection pool. Calls made afterwards fail.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: - Endpoints

    /// `POST /v1/chat/completions`, answered in one response.
    public func chat(_ request: ChatCompletionRequest) async throws -> ChatCompletionResponse {
        var request = request
        request.stream = false
        return try await call(.POST, "/v1/chat/completions", body: request, model: request.model)
    }

    /// `POST /v1/chat/completions` with `stream: true`. Returns once the response head arrived
    /// (HTTP errors throw here); the chunks arrive as you iterate.
    public func chatStream(_ request: ChatCompletionRequest) async throws -> ChatCompletionStream {
        var request = request
        request.stream = true
        return try await openStream("/v1/chat/completions", body: request, model: request.model)
    }

    /// `POST /v1/fim/completions`: code between `prompt` and `suffix`.
    public func fim(_ request: FIMCompletionRequest) async throws -> ChatCompletionResponse {
        var request = request
        request.stream = false
        return try await call(.POST, "/v1/fim/completions", body: request, model: request.model)
    }

    /// `POST /v1/fim/completions` with `stream: true`.
    public func fimStream(_ request: FIMCompletionRequest) async throws -> ChatCompletionStream {
        var request = request
        request.stream = true
        return try await openStream("/v1/fim/completions", body: request, model: request.model)
    }

    /// `POST /v1/embeddings`. Base64 answers are unpacked into numbers using the request's dtype.
    public func embeddings(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        var response: EmbeddingResponse = try await call(.POST, "/v1/embeddings", body: request, model: request.model)
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
        let list: ModelList = try await call(.GET, "/v1/models", body: Optional<JSONValue>.none, model: nil)
        return list.data
    }

    /// `GET /v1/models/{id}`.
    public func retrieveModel(id: String) async throws -> ModelCard {
        try await call(.GET, "/v1/models/\(Self.escapePath(id))", body: Optional<JSONValue>.none, model: id)
    }

    /// `DELETE /v1/models/{id}`: deletes a fine-tuned model (base models answer 403).
    public func deleteModel(id: String) async throws -> DeletedModel {
        try await call(.DELETE, "/v1/models/\(Self.escapePath(id))", body: Optional<JSONValue>.none, model: id)
    }

    /// `POST /v1/moderations`: moderation categories for texts.
    public func moderations(_ request: ClassificationRequest) async throws -> ModerationResponse {
        try await call(.POST, "/v1/moderations", body: request, model: request.model)
    }

    /// `POST /v1/chat/moderations`: moderation categories for conversations.
    public func chatModerations(_ request: ChatModerationRequest) async throws -> ModerationResponse {
        try await call(.POST, "/v1/chat/moderations", body: request, model: request.model)
    }

    /// `POST /v1/classifications`: a custom classifier over texts.
    public func classifications(_ request: ClassificationRequest) async throws -> ClassificationResponse {
        try await call(.POST, "/v1/classifications", body: request, model: request.model)
    }

    /// `POST /v1/chat/classifications`: a custom classifier over conversations.
    public func chatClassifications(_ request: ChatClassificationRequest) async throws -> ClassificationResponse {
        try await call(.POST, "/v1/chat/classifications", body: request, model: request.model)
    }

    // MARK: - Requests

    /// The HTTP request a call would send, e.g. to render with ``CurlCommand``.
    /// Throws `.invalidRequest` when the body cannot be encoded.
    public func prepare<Body: Encodable>(_ method: HTTPMethod, _ path: String, body: Body?, streaming: Bool = false) throws
        -> HTTPRequestDescription
    {
        var headers = HTTPHeaders()
        if let key = configuration.apiKey, !key.isEmpty { headers.add(name: "Authorization", value: "Bearer \(key)") }
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Accept", value: streaming ? "text/event-stream" : "application/json")
        var bytes: [UInt8]?
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            do {
                bytes = Array(try JSONCoding.encode(body))
            } catch {
                throw MistralError(kind: .invalidRequest, message: "The request could not be encoded: \(error)", underlying: error)
            }
        }
        for (name, value) in configuration.defaultHeaders { headers.replaceOrAdd(name: name, value: value) }
        return HTTPRequestDescription(method: method, url: configuration.server.baseURL + path, headers: headers, body: bytes)
    }

    /// The curl command for a chat request (streamed or not); the key is redacted unless `revealKey`.
    public func curlCommand(for request: ChatCompletionRequest, stream: Bool = false, revealKey: Bool = false) throws -> String {
        var request = request
        request.stream = stream
        return CurlCommand.render(try prepare(.POST, "/v1/chat/completions", body: request, streaming: stream), revealKey: revealKey)
    }

    private func call<Body: Encodable, Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: Body?, model: String?
    ) async throws -> Response {
        let request = try prepare(method, path, body: body)
        let response = try await send(request, model: model)
        let bytes: [UInt8]
        do {
            bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch {
            var mapped = AsyncHTTPClientTransport.map(error)
            mapped.requestID = Self.requestID(response.headers)
            throw mapped
        }
        if configuration.logger.logLevel <= .trace {
            configuration.logger.trace("response body", metadata: ["body": "\(redact(String(decoding: bytes, as: UTF8.self)))"])
        }
        do {
            return try JSONCoding.decode(Response.self, from: bytes)
        } catch {
            throw MistralError(
                kind: .undecodableResponse,
                message: "The \(response.status) response to \(method.rawValue) \(path) is not a valid \(Response.self): \(Self.summary(of: error))",
                status: response.status, requestID: Self.requestID(response.headers), bodySnippet: ErrorResponse.snippet(bytes),
                underlying: error)
        }
    }

    private func openStream<Body: Encodable>(_ path: String, body: Body, model: String) async throws -> ChatCompletionStream {
        let request = try prepare(.POST, path, body: body, streaming: true)
        let response = try await send(request, model: model)
        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        if !contentType.contains("text/event-stream") {
            // A proxy may answer 200 with JSON; a stream needs events.
            let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? []
            throw MistralError(
                kind: .undecodableResponse,
                message: "Expected an event stream but got content type '\(contentType.isEmpty ? "none" : contentType)'.",
                status: response.status, requestID: Self.requestID(response.headers), bodySnippet: ErrorResponse.snippet(bytes))
        }
        return ChatCompletionStream(body: response.body, requestID: Self.requestID(response.headers), logger: configuration.logger)
    }

    /// Sends a prepared request; returns a 2xx response with its body unread, or throws.
    private func send(_ request: HTTPRequestDescription, model: String?) async throws -> HTTPResponseStream {
        if let configurationError { throw configurationError }
        var logger = configuration.logger
        logger[metadataKey: "model"] = model.map { "\($0)" }
        let path = request.url.dropFirst(configuration.server.baseURL.count)
        logger.debug("request", metadata: ["method": "\(request.method.rawValue)", "path": "\(path)"])
        if logger.logLevel <= .trace, let body = request.body {
            logger.trace("request body", metadata: ["body": "\(redact(String(decoding: body, as: UTF8.self)))"])
        }
        let started = ContinuousClock.now
        let deadline = configuration.timeouts.total.map { started + $0 }
        let response: HTTPResponseStream
        do {
            try Task.checkCancellation()
            response = try await transport.send(request, deadline: deadline)
        } catch {
            let mapped = AsyncHTTPClientTransport.map(error)
            logger.debug("request failed", metadata: ["error": "\(mapped.kind)"])
            throw mapped
        }
        let requestID = Self.requestID(response.headers)
        logger.debug(
            "response",
            metadata: [
                "status": "\(response.status)", "request-id": "\(requestID ?? "-")",
                "elapsed-ms": "\((ContinuousClock.now - started).secondsValue * 1000)",
            ])
        if let deprecation = response.headers.first(name: "x-model-deprecation-timestamp") {
            logger.warning("model is deprecated", metadata: ["deprecation": "\(deprecation)"])
        }
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.body.collect(upTo: 1 << 20)) ?? []
            let error = ErrorResponse.error(status: response.status, headers: response.headers, body: body)
            logger.debug("error response", metadata: ["kind": "\(error.kind)", "message": "\(error.message)"])
            throw error
        }
        return response
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
    private func redact(_ text: String) -> String {
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
