import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MistralChat
import MistralGatewayCore
import MistralKit
import NIOCore
import Prometheus
import ServiceLifecycle
import Tracing

/// A self-hosted server that speaks the Mistral API in front of an upstream (Mistral, or any
/// compatible server): per-key authentication, limits and budgets, one fair queue that keeps
/// the upstream under its rate limits for every caller together, fallbacks, a ledger row per
/// request and Prometheus metrics.
///
/// Run it as a `Service` (``run()``): on graceful shutdown it stops accepting, lets the
/// requests in flight finish, then writes every pending ledger row before returning.
///
/// ```swift
/// let gateway = Gateway(configuration: .init(upstream: .init(apiKey: key)), store: store)
/// try await ServiceGroup(services: [gateway], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public final class Gateway: Service {
    public let configuration: GatewayConfiguration
    /// The queue in front of the upstream (its depth by key is in the metrics).
    public let queue: FairQueue
    /// The queues of models with their own limits (``GatewayConfiguration/modelLimits``).
    public let modelQueues: [String: FairQueue]
    /// Where this gateway's metrics are (served at `/metrics`).
    public let registry: PrometheusCollectorRegistry
    let store: any GatewayStore
    let client: MistralClient
    let keys: KeyRing
    let ledger: LedgerWriter
    let handler: RelayHandler
    /// The Conversations and Agents API, when the gateway has a chat store.
    let conversations: ConversationsHandler?
    private let onListening: @Sendable (Int) async -> Void

    /// A gateway serving `store`'s keys and writing its ledger there.
    /// - Parameters:
    ///   - registry: where metrics go; a new registry by default (the process-wide metrics
    ///     system is left alone).
    ///   - onListening: called with the bound port once the server listens.
    ///   - chatStore: where the Conversations and Agents API keeps conversations and agents;
    ///     `nil` serves only the relayed Mistral API.
    public init(
        configuration: GatewayConfiguration, store: any GatewayStore, chatStore: (any ChatStore)? = nil,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.registry = registry
        self.onListening = onListening
        let factory = PrometheusMetricsFactory(registry: registry)
        var upstream = configuration.upstream
        queue = FairQueue(
            limiter: RateLimiter(
                limits: configuration.upstreamLimits,
                adaptive: configuration.upstreamLimits.requestsPerSecond == nil || configuration.upstreamLimits.tokensPerMinute == nil),
            defaultMaxWait: configuration.maxQueueWait)
        upstream.fairQueue = queue
        modelQueues = configuration.modelLimits.mapValues { limits in
            FairQueue(limiter: RateLimiter(limits: limits, adaptive: false), defaultMaxWait: configuration.maxQueueWait)
        }
        upstream.modelQueues = modelQueues
        upstream.rateLimiter = nil
        upstream.budget = nil
        upstream.usageLedger = nil
        upstream.metricsFactory = factory
        upstream.logger = configuration.logger
        client = MistralClient(configuration: upstream)
        keys = KeyRing(store: store, interval: configuration.keyRefreshInterval, logger: configuration.logger)
        ledger = LedgerWriter(
            store: store, interval: configuration.ledgerFlushInterval, maxBacklog: configuration.maxLedgerBacklog, logger: configuration.logger)
        handler = RelayHandler(
            client: client, keys: keys, gates: KeyGates(ledger: store, logger: configuration.logger), ledger: ledger,
            metrics: GatewayMetrics(factory: factory), decoding: RequestDecoding(aliases: configuration.aliases),
            configuration: configuration)
        if let chatStore {
            // The engine's calls share the upstream's queue; each is billed to the key of the
            // request it answers (TurnLedger).
            let turns = TurnLedger(writer: ledger, logger: configuration.logger)
            var engineUpstream = upstream
            engineUpstream.usageLedger = turns
            let engine = ChatEngine(client: MistralClient(configuration: engineUpstream), store: chatStore, tools: configuration.chatTools)
            let secret = configuration.endUserTokenSecret ?? (0..<32).map { _ in UInt8.random(in: .min ... .max) }
            conversations = ConversationsHandler(engine: engine, relay: handler, turns: turns, tokens: EndUserTokens(secret: secret))
        } else {
            conversations = nil
        }
    }

    /// Serves until graceful shutdown, then drains and flushes the ledger.
    /// Throws when the keys cannot be loaded or the address cannot be bound.
    public func run() async throws {
        try await keys.load()
        if let conversations {
            // Answers left pending by an instance that stopped (their leases ran out) are failed.
            let abandoned = try await conversations.engine.store.failAbandonedTurns(conversationID: nil, now: Date())
            if abandoned > 0 { configuration.logger.warning("marked abandoned answers failed", metadata: ["count": "\(abandoned)"]) }
        }
        let application = makeApplication()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.keys.run() }
            group.addTask { await self.ledger.flushPeriodically() }
            defer { group.cancelAll() }
            do {
                try await application.run()
            } catch {
                group.cancelAll()
                await ledger.flush()
                try? await client.shutdown()
                try? await conversations?.engine.client.shutdown()
                throw error
            }
            group.cancelAll()
            await ledger.flush()
            try? await client.shutdown()
            try? await conversations?.engine.client.shutdown()
        }
    }

    func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: GatewayRequestContext.self)
        let handler = handler
        let tracer = configuration.upstream.tracer.flatMap { $0 is NoOpTracer ? nil : $0 }
        for endpoint in GatewayEndpoint.allCases {
            router.post(RouterPath(endpoint.path)) { request, context in
                // In a child task: its frames (admission, opening the upstream call) are freed
                // when the response is ready, instead of staying in the connection task's
                // allocator for the whole life of a keep-alive connection or a long stream.
                guard let tracer else {
                    async let response = handler.handle(endpoint, request, channel: context.channel)
                    return await response
                }
                return await ServerSpan.around(request, route: endpoint.path, tracer: tracer) {
                    async let response = handler.handle(endpoint, request, channel: context.channel)
                    return await response
                }
            }
        }
        if let conversations { Self.route(conversations, on: router) }
        router.get("/v1/models") { request, _ in await handler.models(request, id: nil) }
        router.get("/v1/models/{id}") { request, context in await handler.models(request, id: context.parameters.get("id")) }
        router.get("/health") { _, _ in Response.json(["status": "ok"]) }
        router.get("/ready") { [self] _, _ in await readiness() }
        router.get("/metrics") { [registry, queue, modelQueues] _, _ in
            let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry))
            metrics.queueDepth(queue.waiting.values.reduce(0, +))
            for (model, modelQueue) in modelQueues { metrics.modelQueueDepth(modelQueue.waiting.values.reduce(0, +), model: model) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let logger = configuration.logger
        let host = configuration.host
        let port = configuration.port
        let onListening = onListening
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("gateway listening", metadata: ["host": "\(host)", "port": "\(bound)"])
                await onListening(bound)
            },
            logger: logger)
    }

    /// The Conversations and Agents API's routes. Streamed and whole answers share a path (the
    /// body's `stream` decides), as Mistral's do.
    private static func route(_ conversations: ConversationsHandler, on router: Router<GatewayRequestContext>) {
        let agents = AgentsHandler(conversations: conversations)
        @Sendable func id(_ context: GatewayRequestContext) -> String { context.parameters.get("id") ?? "" }
        router.post("/v1/conversations") { request, context in await conversations.start(request, channel: context.channel) }
        router.get("/v1/conversations") { request, _ in await conversations.list(request) }
        router.get("/v1/conversations/{id}") { request, context in await conversations.get(request, id: id(context)) }
        router.post("/v1/conversations/{id}") { request, context in await conversations.append(request, id: id(context), channel: context.channel) }
        router.delete("/v1/conversations/{id}") { request, context in await conversations.delete(request, id: id(context)) }
        router.get("/v1/conversations/{id}/history") { request, context in await conversations.history(request, id: id(context)) }
        router.get("/v1/conversations/{id}/messages") { request, context in await conversations.messages(request, id: id(context)) }
        router.post("/v1/conversations/{id}/restart") { request, context in
            await conversations.restart(request, id: id(context), channel: context.channel)
        }
        router.post("/v1/end_user_tokens") { request, _ in await conversations.mintEndUserToken(request) }
        let libraries = LibrariesHandler(conversations: conversations)
        @Sendable func document(_ context: GatewayRequestContext) -> String { context.parameters.get("document") ?? "" }
        router.post("/v1/libraries") { request, _ in await libraries.create(request) }
        router.get("/v1/libraries") { request, _ in await libraries.list(request) }
        router.get("/v1/libraries/{id}") { request, context in await libraries.get(request, id: id(context)) }
        router.delete("/v1/libraries/{id}") { request, context in await libraries.delete(request, id: id(context)) }
        router.patch("/v1/libraries/{id}") { request, context in await libraries.update(request, id: id(context)) }
        router.put("/v1/libraries/{id}") { request, context in await libraries.update(request, id: id(context)) }
        router.patch("/v1/libraries/{id}/documents/{document}") { request, context in
            await libraries.updateDocument(request, id: id(context), document: document(context))
        }
        router.put("/v1/libraries/{id}/documents/{document}") { request, context in
            await libraries.updateDocument(request, id: id(context), document: document(context))
        }
        router.post("/v1/libraries/{id}/documents") { request, context in await libraries.upload(request, id: id(context)) }
        router.get("/v1/libraries/{id}/documents") { request, context in await libraries.documents(request, id: id(context)) }
        router.get("/v1/libraries/{id}/documents/{document}") { request, context in
            await libraries.document(request, id: id(context), document: document(context), view: .whole)
        }
        router.get("/v1/libraries/{id}/documents/{document}/status") { request, context in
            await libraries.document(request, id: id(context), document: document(context), view: .status)
        }
        router.get("/v1/libraries/{id}/documents/{document}/text_content") { request, context in
            await libraries.document(request, id: id(context), document: document(context), view: .text)
        }
        router.post("/v1/libraries/{id}/documents/{document}/reprocess") { request, context in
            await libraries.reprocess(request, id: id(context), document: document(context))
        }
        router.delete("/v1/libraries/{id}/documents/{document}") { request, context in
            await libraries.deleteDocument(request, id: id(context), document: document(context))
        }
        router.post("/v1/agents") { request, _ in await agents.create(request) }
        router.get("/v1/agents") { request, _ in await agents.list(request) }
        router.get("/v1/agents/{id}") { request, context in await agents.get(request, id: id(context)) }
        router.patch("/v1/agents/{id}") { request, context in await agents.update(request, id: id(context)) }
        router.delete("/v1/agents/{id}") { request, context in await agents.delete(request, id: id(context)) }
        router.get("/v1/agents/{id}/versions") { request, context in await agents.versions(request, id: id(context)) }
        router.patch("/v1/agents/{id}/version") { request, context in await agents.activate(request, id: id(context)) }
        router.put("/v1/agents/{id}/aliases") { request, context in await agents.setAlias(request, id: id(context)) }
        router.get("/v1/agents/{id}/aliases") { request, context in await agents.aliases(request, id: id(context)) }
        router.delete("/v1/agents/{id}/aliases") { request, context in await agents.deleteAlias(request, id: id(context)) }
        router.get("/v1/agents/{id}/versions/{version}") { request, context in
            await agents.version(request, id: id(context), version: context.parameters.get("version") ?? "")
        }
    }

    /// `/ready`: 200 when the database answers and the upstream lists its models, else 503
    /// naming what is not ready.
    func readiness() async -> Response {
        var problems: [String] = []
        do { _ = try await store.key(id: "readiness-probe") } catch { problems.append("database: \(error)") }
        if ledger.isFull { problems.append("ledger: \(ledger.backlog) rows wait for the database") }
        do { _ = try await client.relay(.listModels) } catch { problems.append("upstream: \(MistralError(normalizing: error).message)") }
        let body: JSONValue = problems.isEmpty ? ["status": "ready"] : ["status": "not ready", "problems": .array(problems.map { .string($0) })]
        return .json(body, status: problems.isEmpty ? .ok : .serviceUnavailable)
    }
}
