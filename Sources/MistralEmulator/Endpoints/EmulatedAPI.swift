import Hummingbird
import MistralKit

/// The emulated endpoints: each decodes and validates its body, checks the model, the context
/// window and the token budget, generates the answer, and renders it with latency and faults.
/// Extensions in this folder hold one group of endpoints each.
struct EmulatedAPI: Sendable {
    let validator = RequestValidator()
    let validationErrorStyle: ValidationErrorStyle
    let catalog: ModelCatalog
    let limiter: RateLimiter
    let generator: CompletionGenerator
    let renderer: ReplyRenderer
    let scorer = ModerationScorer()
    let requestLog: RequestLog

    init(configuration: EmulatorConfiguration, catalog: ModelCatalog, limiter: RateLimiter, faults: FaultInjector, requestLog: RequestLog) {
        self.requestLog = requestLog
        validationErrorStyle = configuration.validationErrorStyle
        self.catalog = catalog
        self.limiter = limiter
        generator = CompletionGenerator(composer: AnswerComposer(cannedAnswers: configuration.cannedAnswers))
        renderer = ReplyRenderer(latency: configuration.latency, faults: faults)
    }

    /// `body` as a `Model` after validation against `schema` (one of ``RequestSchemas``);
    /// otherwise 422 in the configured ``ValidationErrorStyle``.
    func decodeBody<Model: Decodable>(_ type: Model.Type, from body: [UInt8], schema: ObjectSchema) throws -> Model {
        do {
            return try validator.decode(type, from: body, schema: schema)
        } catch {
            throw APIFailure.validation(error, style: validationErrorStyle)
        }
    }

    /// The card of `name` when it can serve `capability`; otherwise 400 `invalid_model`.
    func model(_ name: String, can capability: (ModelCard.Capabilities) -> Bool) throws -> ModelCard {
        guard let card = catalog.card(named: name), capability(card.capabilities) else { throw APIFailure.invalidModel(name) }
        return card
    }

    /// 429 when `promptTokens` do not fit this minute's token budget.
    func admit(promptTokens: Int) throws {
        if case .limited(let seconds) = limiter.admitTokens(promptTokens) { throw APIFailure.rateLimited(retryAfterSeconds: seconds) }
    }

    /// Charges `tokens` and returns the query-cost header when limits are on.
    func charge(_ tokens: Int) -> [(String, String)] {
        limiter.charge(tokens)
        return limiter.limits.isLimited ? [("x-ratelimit-tokens-query-cost", String(tokens))] : []
    }

    /// Renders `reply` (plus `headers`) for the request in `context`.
    func respond(_ reply: Reply, headers: [(String, String)], _ context: EmulatorRequestContext) async throws -> Response {
        var reply = reply
        reply.headers += headers
        let log = requestLog
        let correlationID = context.correlationID
        return try await renderer.response(for: reply, fault: context.fault, channel: context.channel) { chunks, outcome in
            log.recordStreamEnd(RequestLog.StreamEnd(correlationID: correlationID, chunksSent: chunks, outcome: outcome))
        }
    }
}
