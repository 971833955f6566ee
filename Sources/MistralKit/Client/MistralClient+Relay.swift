import NIOHTTP1

/// Relaying: a call made through the client's whole path (limits, retries, breakers, chat
/// fallbacks, usage) whose answer comes back as the upstream's bytes instead of a decoded
/// value, for a gateway that must answer its own callers with exactly what the upstream sent.
extension MistralClient {
    /// Sends `request` and returns the upstream's answer as bytes.
    ///
    /// Chat calls fall back along ``Configuration/fallbacks``. The body is checked before it is
    /// returned (a 2xx body that is not a valid answer throws `.undecodableResponse`), and its
    /// usage is recorded: in ``Configuration/usageLedger`` and through `record`, which hears
    /// the call's one ``UsageRecord`` (metered endpoints only) when it ends, failed ones included.
    ///
    /// - Throws: ``MistralError`` as the typed endpoints do; a streamed request throws
    ///   `.invalidRequest` (use ``relayStream(_:tags:record:)``).
    public func relay(
        _ request: RelayRequest, tags: [String: String] = [:], record: (@Sendable (UsageRecord) -> Void)? = nil
    ) async throws -> RelayedResponse {
        switch request {
        case .chat(let chat):
            var routes = fallbackRoutes(for: chat.model)
            while true {
                do {
                    let prepared = try chatCall(chat, streaming: false, tags: tags, on: routes.current)
                    return try await relayAnswer(prepared.call, body: prepared.body, record: record, as: ChatCompletionResponse.self)
                } catch {
                    try routes.fallBack(after: error, logger: configuration.logger)
                }
            }
        case .fim(let fim):
            let prepared = try fimCall(fim, streaming: false, tags: tags)
            return try await relayAnswer(prepared.call, body: prepared.body, record: record, as: ChatCompletionResponse.self)
        case .embeddings(let embeddings):
            return try await relayAnswer(embeddingsCall(embeddings, tags: tags), body: encoded(embeddings), record: record)
        case .moderations(let classification):
            let call = classifierCall("moderations", "/v1/moderations", classification.model, classification.input, tags)
            return try await relayAnswer(call, body: encoded(classification), record: record)
        case .classifications(let classification):
            let call = classifierCall("classifications", "/v1/classifications", classification.model, classification.input, tags)
            return try await relayAnswer(call, body: encoded(classification), record: record)
        case .chatModerations(let moderation):
            let call = classifierCall("chat.moderations", "/v1/chat/moderations", moderation.model, [], tags)
            return try await relayAnswer(call, body: encoded(moderation), record: record)
        case .chatClassifications(let classification):
            let call = classifierCall("chat.classifications", "/v1/chat/classifications", classification.model, [], tags)
            return try await relayAnswer(call, body: encoded(classification), record: record)
        case .ocr(let ocr):
            return try await relayAnswer(ocrCall(ocr, tags: tags), body: encoded(ocr), record: record)
        case .listModels:
            return try await relayAnswer(listModelsCall, body: nil, record: record)
        case .retrieveModel(let id):
            return try await relayAnswer(retrieveModelCall(id), body: nil, record: record)
        }
    }

    /// `body` encoded for the client's own upstream.
    private func encoded<Body: Encodable>(_ body: Body) throws -> [UInt8] {
        try Self.encode(body, dialect: primary.dialect)
    }

    /// Sends a chat or FIM `request` with `stream: true` and returns the relayed stream once the
    /// upstream's response head arrived (HTTP errors throw here, after retries and fallbacks).
    ///
    /// An upstream that answers with one JSON completion is relayed as a stream of one chunk.
    /// - Throws: ``MistralError``; `.invalidRequest` for an endpoint that does not stream.
    public func relayStream(
        _ request: RelayRequest, tags: [String: String] = [:], record: (@Sendable (UsageRecord) -> Void)? = nil
    ) async throws -> RelayedStream {
        switch request {
        case .chat(let chat):
            var routes = fallbackRoutes(for: chat.model)
            while true {
                do {
                    var prepared = try chatCall(chat, streaming: true, tags: tags, on: routes.current)
                    prepared.call.recorder = record
                    return try await openRelayedStream(prepared)
                } catch {
                    try routes.fallBack(after: error, logger: configuration.logger)
                }
            }
        case .fim(let fim):
            var prepared = try fimCall(fim, streaming: true, tags: tags)
            prepared.call.recorder = record
            return try await openRelayedStream(prepared)
        default:
            throw MistralError(kind: .invalidRequest, message: "\(request.operation(streaming: false)) does not stream.")
        }
    }

    /// What `request` is expected to use: the tokens and cost a budget reserves before sending.
    public func estimate(_ request: RelayRequest) -> CallEstimate {
        let counter = configuration.tokenCounter
        let assumed = configuration.budget?.assumedCompletionTokens ?? 1024
        var prompt = 0
        var completion = 0
        switch request {
        case .chat(let chat):
            prompt = (try? counter.promptTokens(for: chat)) ?? 0
            completion = chat.maxTokens ?? configuration.contextWindows[chat.model].map { max(0, $0 - prompt) } ?? assumed
        case .fim(let fim):
            prompt = counter.tokens(in: fim.prompt + (fim.suffix ?? ""))
            completion = fim.maxTokens ?? configuration.contextWindows[fim.model].map { max(0, $0 - prompt) } ?? assumed
        case .embeddings(let embeddings):
            prompt = promptCount(of: embeddings.input).value
        case .moderations(let classification), .classifications(let classification):
            prompt = promptCount(of: classification.input).value
        case .chatModerations, .chatClassifications, .ocr, .listModels, .retrieveModel:
            break
        }
        let cost = request.model.flatMap { model in
            primary.prices.cost(promptTokens: prompt, completionTokens: completion, model: model, context: primaryPricing)
        }
        return CallEstimate(promptTokens: prompt, completionTokens: completion, costUSD: cost)
    }

    /// Executes `call`, reads its answer, checks it decodes as `Answer` and records its usage.
    private func relayAnswer<Answer: Decodable & RelayAccountable>(
        _ call: CallInfo, body: [UInt8]?, record: (@Sendable (UsageRecord) -> Void)?, as answer: Answer.Type = AccountedAnswer.self
    ) async throws -> RelayedResponse {
        var call = call
        call.recorder = record
        let admitted = try await execute(call, body: body)
        var bytes = try await collectBody(admitted)
        let decoded: Answer
        do {
            switch call.upstream.dialect {
            case .mistral:
                decoded = try JSONCoding.decode(Answer.self, from: bytes)
            case .openAICompatible:
                let mapped = OpenAICompatibleMapping.response(try JSONParser.parse(bytes))
                decoded = try JSONValueDecoder().decode(Answer.self, from: mapped)
                bytes = try JSONCoding.encodeBytes(mapped)
            }
        } catch {
            let mapped = MistralError(
                kind: .undecodableResponse,
                message: "The answer to \(call.method.rawValue) \(call.path) is not a valid \(Answer.self): \(Self.summary(of: error))",
                status: admitted.response.status, requestID: admitted.requestID, bodySnippet: ErrorResponse.snippet(bytes),
                underlying: error)
            admitted.tracker.finish(usage: nil, responseModel: nil, error: mapped)
            throw mapped
        }
        admitted.tracker.finish(usage: decoded.relayedUsage, responseModel: decoded.relayedModel, error: nil)
        return RelayedResponse(body: bytes, upstreamRequestID: admitted.requestID, answeredBy: call.answeredBy, usage: decoded.relayedUsage)
    }

    private func openRelayedStream(_ prepared: PreparedCall) async throws -> RelayedStream {
        let admitted = try await execute(prepared.call, body: prepared.body)
        return RelayedStream(
            body: try await eventStreamBody(admitted, call: prepared.call), tracker: admitted.tracker, logger: configuration.logger,
            upstreamRequestID: admitted.requestID, answeredBy: prepared.call.answeredBy)
    }
}

/// What the relay reads from an answer to account for it.
protocol RelayAccountable {
    var relayedUsage: UsageInfo? { get }
    var relayedModel: String? { get }
}

extension ChatCompletionResponse: RelayAccountable {
    var relayedUsage: UsageInfo? { usage }
    var relayedModel: String? { model }
}

/// Any JSON object answer, read only for its `model` and `usage` (embeddings, classifiers,
/// OCR, models): the rest of the body is passed on untouched.
struct AccountedAnswer: Decodable, RelayAccountable {
    var model: String?
    var usage: UsageInfo?
    var relayedUsage: UsageInfo? { usage }
    var relayedModel: String? { model }
}
