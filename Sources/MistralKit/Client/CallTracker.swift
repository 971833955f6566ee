import Foundation
import Synchronization
import Tracing

/// Everything a call holds until it ends (a concurrency slot, a rate-limit permit, a budget
/// reservation, its span), and the one place where its usage, cost and outcome are recorded.
///
/// ``finish(usage:responseModel:requestID:error:partialText:)`` runs once; a later call is
/// ignored. A tracker dropped without finishing (a stream abandoned by its consumer) finishes
/// as `abandoned`, with the chunks it saw counted as estimated completion tokens.
final class CallTracker: Sendable {
    let call: CallInfo
    var upstream: ResolvedUpstream { call.upstream }
    var answeredBy: AnsweredBy? { call.answeredBy }
    // The two parts of the client's configuration it uses, not a copy of all of it (copying
    // the configuration retains every one of its references).
    private let tokenCounter: any TokenCounting
    private let usageLedger: (any UsageLedger)?
    private let metrics: ClientMetrics
    private let started: ContinuousClock.Instant
    private let span: any Span
    private let state: Mutex<State>
    /// Chunks a stream delivered: counted as estimated completion tokens if it is abandoned.
    private let chunks = Atomic<Int>(0)

    struct Holdings: Sendable {
        var slot: ConcurrencySlot?
        var permit: RateLimiter.Permit?
        /// The permit of the model's own queue, when its limits differ from the upstream's.
        var modelPermit: RateLimiter.Permit?
        var budget: Budget.Reservation?
    }

    private struct State {
        var holdings: Holdings
        var finished = false
        var requestID: String?
    }

    init(
        call: CallInfo, configuration: MistralClient.Configuration,
        metrics: ClientMetrics, started: ContinuousClock.Instant, span: any Span, holdings: Holdings, requestID: String?
    ) {
        self.call = call
        self.tokenCounter = configuration.tokenCounter
        self.usageLedger = configuration.usageLedger
        self.metrics = metrics
        self.started = started
        self.span = span
        self.state = Mutex(State(holdings: holdings, requestID: requestID))
    }

    /// A stream delivered a chunk: the first one sets time to first token.
    func sawChunk() { sawChunks(1) }

    /// A stream delivered `count` chunks (those of one read, when `collect()` folds them).
    func sawChunks(_ count: Int) {
        // One atomic add (a lock per chunk cost a stream more than its accounting).
        let seen = chunks.add(count, ordering: .relaxed).newValue
        if seen == count { metrics.timeToFirstToken(operation: call.operation, model: call.model, ContinuousClock.now - started) }
    }

    /// Ends the call: releases what it holds and records usage, cost, metrics and the span.
    /// `usage == nil` with a successful outcome records estimated counts.
    func finish(usage: UsageInfo?, responseModel: String?, error: MistralError?, partialText: String? = nil) {
        let taken = state.withLock { state -> (Holdings, Int, String?)? in
            guard !state.finished else { return nil }
            state.finished = true
            defer { state.holdings = Holdings() }
            return (state.holdings, chunks.load(ordering: .relaxed), state.requestID)
        }
        guard let (holdings, chunks, requestID) = taken else { return }
        holdings.slot?.release()
        let duration = ContinuousClock.now - started
        let model = responseModel.flatMap { $0.isEmpty ? nil : $0 } ?? call.model ?? "-"
        var prompt = usage?.promptTokens ?? 0
        var completion = usage?.completionTokens ?? 0
        let cached = usage?.cachedTokens ?? 0
        var estimated = false
        if usage == nil, call.metered {
            // Tokens were spent but not reported (a cut stream, an undecodable body): estimate.
            estimated = true
            prompt = call.promptEstimate
            completion = partialText.map { tokenCounter.tokens(in: $0) } ?? chunks
        }
        let cost = upstream.prices.cost(
            promptTokens: prompt, completionTokens: completion, cachedTokens: cached, model: model, context: call.pricing)
        holdings.permit?.reconcile(actualTokens: prompt + completion)
        holdings.modelPermit?.reconcile(actualTokens: prompt + completion)
        holdings.budget?.commit(actualUSD: cost ?? 0)
        let outcome = error.map { $0.kind.description } ?? "ok"
        if call.metered {
            metrics.usage(model: model, prompt: prompt, completion: completion, cached: cached, costUSD: cost)
            let record = UsageRecord(
                endpoint: call.operation, model: model, provider: upstream.name, requestID: requestID,
                promptTokens: prompt, completionTokens: completion, cachedTokens: cached, costUSD: cost, estimated: estimated,
                outcome: outcome, tags: call.tags, latencyMilliseconds: duration.secondsValue * 1000, pricing: call.pricing)
            usageLedger?.record(record)
            call.recorder?(record)
        }
        metrics.request(operation: call.operation, model: call.model, outcome: outcome, duration: duration)
        if let error { metrics.error(operation: call.operation, kind: error.kind) }
        // A span that records nothing (the default no-op tracer) ignores all this, but setting
        // an attribute still builds and hashes a dictionary each time.
        if span.isRecording {
            span.attributes[GenAIAttributes.responseModel] = model
            if let requestID { span.attributes[GenAIAttributes.responseID] = requestID }
            if call.metered {
                span.attributes[GenAIAttributes.usageInputTokens] = prompt
                span.attributes[GenAIAttributes.usageOutputTokens] = completion
                if let cost { span.attributes[GenAIAttributes.costUSD] = cost }
            }
            if let answeredBy {
                span.attributes[GenAIAttributes.route] = "\(answeredBy.upstream)/\(answeredBy.model)"
            }
            if let error {
                span.attributes[GenAIAttributes.errorType] = error.kind.description
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: error.message))
            }
        }
        span.end()
    }

    deinit {
        // Nearly every call has finished by now: only an abandoned stream needs its error made.
        guard !state.withLock({ $0.finished }) else { return }
        finish(usage: nil, responseModel: nil, error: MistralError(kind: .cancelled, message: "The stream was dropped before it ended."))
    }
}
