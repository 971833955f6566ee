import Logging

/// The routes a chat call may take, in order: the requested model on the client's own upstream,
/// then each configured fallback. A call tries ``current``; on failure ``fallBack(after:logger:)``
/// moves to the next route when the failure is one another route may not have, and rethrows
/// otherwise (or after the last route).
struct FallbackRoutes {
    /// One route: a model on an upstream, and how it is reported when it answers.
    struct Route {
        var model: String
        var upstream: ResolvedUpstream
        /// `nil` when the client has no fallbacks (nothing to report).
        var answeredBy: AnsweredBy?
    }

    private let fallbacks: [FallbackRoute]
    private let primary: ResolvedUpstream
    private let defaultPrices: PriceTable
    private var index = 0
    private var skipped: [String] = []
    /// The route to try now.
    private(set) var current: Route

    init(model: String, fallbacks: [FallbackRoute], primary: ResolvedUpstream, defaultPrices: PriceTable) {
        self.fallbacks = fallbacks
        self.primary = primary
        self.defaultPrices = defaultPrices
        current = Route(
            model: model, upstream: primary,
            answeredBy: fallbacks.isEmpty ? nil : AnsweredBy(upstream: primary.name, model: model, routeIndex: 0, skipped: []))
    }

    /// Moves to the next route after `error`, or rethrows it: when it is not a ``MistralError``
    /// another route may avoid (see ``fallsBack(_:)``), or when no route is left.
    mutating func fallBack(after error: any Error, logger: Logger) throws {
        guard index < fallbacks.count, let error = error as? MistralError, Self.fallsBack(error) else { throw error }
        logger.info("falling back", metadata: ["from": "\(current.upstream.name)/\(current.model)", "error": "\(error.kind)"])
        skipped.append("\(current.upstream.name)/\(current.model): \(error.kind)")
        let route = fallbacks[index]
        index += 1
        let upstream = route.upstream.map { upstream in
            ResolvedUpstream(
                name: upstream.name, baseURL: upstream.server.baseURL, apiKey: upstream.apiKey, dialect: upstream.dialect,
                prices: upstream.prices ?? defaultPrices)
        } ?? primary
        current = Route(
            model: route.model, upstream: upstream,
            answeredBy: AnsweredBy(upstream: upstream.name, model: route.model, routeIndex: index, skipped: skipped))
    }

    /// Failures another model or provider may not have.
    static func fallsBack(_ error: MistralError) -> Bool {
        [.rateLimited, .quotaExhausted, .server, .timeout, .connection, .circuitOpen, .rateLimitWait, .notFound].contains(error.kind)
    }
}

extension MistralClient {
    /// The routes of a chat call on `model`.
    func fallbackRoutes(for model: String) -> FallbackRoutes {
        FallbackRoutes(model: model, fallbacks: configuration.fallbacks, primary: primary, defaultPrices: configuration.prices)
    }
}
