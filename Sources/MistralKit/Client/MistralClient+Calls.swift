import NIOHTTP1

/// Call descriptions: what each endpoint's call is (operation, path, model, metering, the prompt
/// count and the pricing), worked out before anything is sent.
extension MistralClient {
    /// A generation call described and its body encoded for the upstream it goes to.
    typealias PreparedCall = (call: CallInfo, body: [UInt8])

    func plainCall(
        _ operation: String, _ method: HTTPMethod, _ path: String, model: String?, metered: Bool = false, tags: [String: String] = [:]
    ) -> CallInfo {
        CallInfo(
            operation: operation, genAIOperation: nil, method: method, path: path, model: model, streaming: false,
            tags: UsageTags.resolved(tags), metered: metered, completionReserve: 0, pricing: primaryPricing, upstream: primary)
    }

    /// An embeddings call, its prompt the tokens of its inputs.
    func embeddingsCall(_ request: EmbeddingRequest, tags: [String: String]) -> CallInfo {
        var call = plainCall("embeddings", .POST, "/v1/embeddings", model: request.model, metered: true, tags: tags)
        call.genAIOperation = "embeddings"
        call.prompt = promptCount(of: request.input)
        return call
    }

    /// An OCR call: billed per page, so not metered in tokens.
    func ocrCall(_ request: OCRRequest, tags: [String: String]) -> CallInfo {
        plainCall("ocr", .POST, "/v1/ocr", model: request.model, tags: tags)
    }

    var listModelsCall: CallInfo { plainCall("models.list", .GET, "/v1/models", model: nil) }

    func retrieveModelCall(_ id: String) -> CallInfo {
        plainCall("models.retrieve", .GET, "/v1/models/\(Self.escapePath(id))", model: id)
    }

    func classifierCall(_ operation: String, _ path: String, _ model: String, _ texts: [String], _ tags: [String: String]) -> CallInfo {
        var call = plainCall(operation, .POST, path, model: model, metered: true, tags: tags)
        call.prompt = promptCount(of: texts)
        return call
    }

    /// A chat call on `route`: the request with the route's model, refused here when the count
    /// is exact and it cannot fit the model's context.
    func chatCall(
        _ request: ChatCompletionRequest, streaming: Bool, tags: [String: String], on route: FallbackRoutes.Route
    ) throws -> PreparedCall {
        var request = request
        request.stream = streaming
        request.model = route.model
        var call = plainCall(streaming ? "chat.stream" : "chat", .POST, "/v1/chat/completions", model: request.model, metered: true, tags: tags)
        call.genAIOperation = "chat"
        call.streaming = streaming
        call.upstream = route.upstream
        call.answeredBy = route.answeredBy
        call.pricing = pricing(for: route.upstream, tier: request.serviceTier)
        let counter = configuration.tokenCounter
        let counted = request
        call.prompt = PromptTokenCount { (try? counter.promptTokens(for: counted)) ?? 0 }
        call.completionReserve = request.maxTokens ?? configuration.budget?.assumedCompletionTokens ?? 0
        call.maxTokens = request.maxTokens
        call.temperature = request.temperature
        try checkContextWindow(request, prompt: call.prompt)
        return (call, try Self.encode(request, dialect: route.upstream.dialect))
    }

    /// A FIM call, always on the client's own upstream.
    func fimCall(_ request: FIMCompletionRequest, streaming: Bool, tags: [String: String]) throws -> PreparedCall {
        var request = request
        request.stream = streaming
        var call = plainCall(streaming ? "fim.stream" : "fim", .POST, "/v1/fim/completions", model: request.model, metered: true, tags: tags)
        call.genAIOperation = "text_completion"
        call.streaming = streaming
        let counter = configuration.tokenCounter
        let (prompt, suffix) = (request.prompt, request.suffix)
        call.prompt = PromptTokenCount { counter.tokens(in: prompt + (suffix ?? "")) }
        call.completionReserve = request.maxTokens ?? configuration.budget?.assumedCompletionTokens ?? 0
        call.maxTokens = request.maxTokens
        call.temperature = request.temperature
        return (call, try Self.encode(request, dialect: primary.dialect))
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

    func promptCount(of texts: [String]) -> PromptTokenCount {
        let counter = configuration.tokenCounter
        return PromptTokenCount { texts.reduce(0) { $0 + counter.tokens(in: $1) } }
    }

    private func pricing(for upstream: ResolvedUpstream, tier: ServiceTier? = nil) -> PricingContext {
        var pricing = upstream.name == primary.name ? primaryPricing : Self.pricing(configuration.pricing, for: upstream)
        if tier == .priority { pricing.priority = true }
        return pricing
    }

    /// `base` for calls to `upstream`: regional prices on Mistral's EU and US servers.
    static func pricing(_ base: PricingContext, for upstream: ResolvedUpstream) -> PricingContext {
        var pricing = base
        if upstream.dialect == .mistral, [MistralServer.eu, .us].contains(MistralServer(baseURL: upstream.baseURL)) { pricing.regional = true }
        return pricing
    }
}
