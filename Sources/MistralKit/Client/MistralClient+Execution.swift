import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// Execution: the path of one call from its description to a 2xx response head. Budget →
/// breaker → concurrency slot → rate limiter → hooks → send → (on a retryable failure: backoff
/// and again) → a 2xx response whose body is still unread, with a ``CallTracker`` that records
/// usage and cost when the body has been consumed (``MistralClient+Responses.swift`` and
/// ``MistralClient+Streams.swift`` read it).
extension MistralClient {
    /// A 2xx response and the tracker that must be finished once its body is consumed.
    struct Admitted: Sendable {
        var response: HTTPResponseStream
        var tracker: CallTracker
        var requestID: String?
    }

    func execute(_ call: CallInfo, body: [UInt8]?) async throws -> Admitted {
        let upstream = call.upstream
        if let configurationError, upstream.isPrimary { throw configurationError }
        let started = ContinuousClock.now
        let deadline = configuration.timeouts.total.map { started + $0 }
        var logger = configuration.logger
        // Setting metadata makes some handlers re-render theirs (StreamLogHandler does): only
        // when debug lines will be written. The one warning below names the model itself.
        if logger.logLevel <= .debug { logger[metadataKey: "model"] = call.model.map { "\($0)" } }

        let span = startSpan(
            call.genAIOperation.map { "\($0) \(call.model ?? "")" } ?? call.operation, context: ServiceContext.current ?? .topLevel)
        // A span that records nothing (the default no-op tracer) needs no attributes: building
        // them parses the base URL on every call.
        if span.isRecording { Self.describe(span, call: call, upstream: upstream) }

        var holdings = CallTracker.Holdings()
        func fail(_ error: MistralError) -> MistralError {
            holdings.budget?.release()
            metrics.request(operation: call.operation, model: call.model, outcome: error.kind.description, duration: ContinuousClock.now - started)
            metrics.error(operation: call.operation, kind: error.kind)
            span.attributes[GenAIAttributes.errorType] = error.kind.description
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: error.message))
            span.end()
            return error
        }

        if call.metered, let budget = configuration.budget {
            let estimate =
                upstream.prices.cost(
                    promptTokens: call.promptEstimate, completionTokens: call.completionReserve, model: call.model ?? "",
                    context: call.pricing) ?? 0
            do {
                holdings.budget = try budget.reserve(estimateUSD: estimate, tags: call.tags)
            } catch let error as MistralError {
                throw fail(error)
            }
        }

        var attempt = 0
        var waited = Duration.zero
        while true {
            attempt += 1
            let context = HookContext(
                operation: call.operation, model: call.model, upstream: upstream.name, baseURL: upstream.baseURL,
                attempt: attempt, tags: call.tags)
            var admittedByBreaker = false
            do {
                try Task.checkCancellation()
                if let breakers = configuration.circuitBreakers {
                    try breakers.admit(upstream: upstream.baseURL, model: call.model)
                    admittedByBreaker = true
                }
                if let limiter = configuration.concurrencyLimiter {
                    try await limiter.acquire()
                    holdings.slot = ConcurrencySlot(limiter)
                }
                if upstream.isPrimary, let model = call.model, let queue = configuration.modelQueues[model] {
                    let remaining = deadline.map { $0 - ContinuousClock.now - responseTimes.reserve }
                    let permit = try await queue.acquire(tokens: call.tokenReservation, deadline: remaining.map { max(.zero, $0) })
                    holdings.modelPermit = permit
                    metrics.limiterWait(operation: call.operation, permit.waited)
                }
                if upstream.isPrimary, let queue = configuration.fairQueue {
                    var remaining = deadline.map { $0 - ContinuousClock.now - responseTimes.reserve }
                    if let modelWait = holdings.modelPermit?.waited {
                        // Both waits together stay within the call's maxWait.
                        let left = (FairQueue.Scheduling.current.maxWait ?? queue.defaultMaxWait) - modelWait
                        remaining = min(remaining ?? left, left)
                    }
                    let permit = try await queue.acquire(tokens: call.tokenReservation, deadline: remaining.map { max(.zero, $0) })
                    holdings.permit = permit
                    metrics.limiterWait(operation: call.operation, permit.waited)
                } else if let limiter = configuration.rateLimiter {
                    // Leave the call time to be answered: a start just before the deadline wastes a slot.
                    let remaining = deadline.map { $0 - ContinuousClock.now - responseTimes.reserve }
                    let permit = try await limiter.acquire(tokens: call.tokenReservation, maxWait: remaining.map { max(.zero, $0) })
                    holdings.permit = permit
                    metrics.limiterWait(operation: call.operation, permit.waited)
                }
                var request = try prepare(call, body: body)
                for hook in configuration.hooks {
                    do {
                        try await hook.beforeRequest(&request, context: context)
                    } catch let error as MistralError {
                        throw error
                    } catch {
                        throw MistralError(kind: .invalidRequest, message: "A beforeRequest hook refused the call: \(error)", underlying: error)
                    }
                }
                let response = try await send(
                    request, call: call, upstream: upstream, attempt: attempt, parent: span, deadline: deadline, logger: logger)
                let requestID = Self.requestID(response.headers)
                if admittedByBreaker { configuration.circuitBreakers?.record(upstream: upstream.baseURL, model: call.model, outcome: .success) }
                configuration.retryBudget?.deposit()
                configuration.upstreamLimiter?.observe(RateLimitHeaders(headers: response.headers))
                for hook in configuration.hooks { await hook.afterResponse(status: response.status, headers: response.headers, context: context) }
                let tracker = CallTracker(
                    call: call, configuration: configuration, metrics: metrics,
                    started: started, span: span, holdings: holdings, requestID: requestID)
                var admitted = response
                if let slot = holdings.slot { admitted.body = admitted.body.holding(slot) }
                return Admitted(response: admitted, tracker: tracker, requestID: requestID)
            } catch {
                var mapped = MistralError(normalizing: error)
                holdings.slot?.release()
                holdings.slot = nil
                holdings.permit?.reconcile(actualTokens: 0)
                holdings.permit = nil
                holdings.modelPermit?.reconcile(actualTokens: 0)
                holdings.modelPermit = nil
                if admittedByBreaker {
                    configuration.circuitBreakers?.record(upstream: upstream.baseURL, model: call.model, outcome: CircuitBreakers.outcome(of: mapped))
                }
                if mapped.kind == .rateLimited || mapped.kind == .quotaExhausted {
                    metrics.rateLimited(operation: call.operation, model: call.model)
                    configuration.upstreamLimiter?.observeRateLimited(retryAfter: mapped.retryAfter)
                    configuration.upstreamLimiter?.observe(mapped.rateLimit)
                }
                for hook in configuration.hooks { await hook.onError(mapped, context: context) }
                if mapped.kind == .cancelled || Task.isCancelled { throw fail(mapped) }
                let remaining = deadline.map { $0 - ContinuousClock.now }
                switch configuration.retry.decide(after: mapped, attempt: attempt, waited: waited, remaining: remaining, jitter: configuration.jitter) {
                case .retry(let wait):
                    guard configuration.retryBudget?.withdraw() ?? true else {
                        mapped.message += " (Not retried: the client's retry budget is spent, the upstream is failing for many calls.)"
                        throw fail(mapped)
                    }
                    metrics.retry(operation: call.operation, reason: mapped.kind)
                    logger.debug(
                        "retrying", metadata: ["attempt": "\(attempt)", "wait": "\(wait.formattedSeconds)", "error": "\(mapped.kind)"])
                    do {
                        try await timeline.sleep(for: wait)
                    } catch {
                        throw fail(MistralError(kind: .cancelled, message: "The call was cancelled while waiting to retry.", underlying: mapped))
                    }
                    waited += wait
                case .giveUp(let reason):
                    if let reason { mapped.message += " (Not retried: \(reason).)" }
                    throw fail(mapped)
                }
            }
        }
    }

    /// Sends one attempt; returns a 2xx response with its body unread, or throws.
    private func send(
        _ request: HTTPRequestDescription, call: CallInfo, upstream: ResolvedUpstream, attempt: Int, parent: any Span,
        deadline: ContinuousClock.Instant?, logger: Logger
    ) async throws -> HTTPResponseStream {
        let attemptSpan = startSpan("attempt \(attempt)", context: parent.context)
        defer { attemptSpan.end() }
        var request = request
        if tracing { tracer.inject(attemptSpan.context, into: &request.headers, using: HTTPHeadersInjector()) }
        if attempt > 1 { attemptSpan.attributes[GenAIAttributes.resendCount] = attempt - 1 }
        logger.debug("request", metadata: ["method": "\(request.method.rawValue)", "path": "\(call.path)", "attempt": "\(attempt)"])
        if logger.logLevel <= .trace, let body = request.body {
            logger.trace("request body", metadata: ["body": "\(redact(String(decoding: body, as: UTF8.self)))"])
        }
        let started = ContinuousClock.now
        let response: HTTPResponseStream
        do {
            response = try await transport.send(request, deadline: deadline)
            responseTimes.observe(ContinuousClock.now - started)
        } catch {
            let mapped = MistralError(normalizing: error)
            logger.debug("request failed", metadata: ["error": "\(mapped.kind)"])
            attemptSpan.attributes[GenAIAttributes.errorType] = mapped.kind.description
            throw mapped
        }
        if attemptSpan.isRecording { attemptSpan.attributes[GenAIAttributes.httpStatusCode] = response.status }
        logger.debug(
            "response",
            metadata: [
                "status": "\(response.status)", "request-id": "\(Self.requestID(response.headers) ?? "-")",
                "elapsed-ms": "\((ContinuousClock.now - started).secondsValue * 1000)",
            ])
        if let deprecation = response.headers.first(name: "x-model-deprecation-timestamp") {
            logger.warning("model is deprecated", metadata: ["deprecation": "\(deprecation)", "model": "\(call.model ?? "-")"])
        }
        guard (200..<300).contains(response.status) else {
            let error = await readError(response)
            logger.debug("error response", metadata: ["kind": "\(error.kind)", "message": "\(error.message)"])
            attemptSpan.attributes[GenAIAttributes.errorType] = error.kind.description
            throw error
        }
        return response
    }

    /// A client span named `name`; for the no-op tracer, a no-op span made without building the
    /// name or reading the context.
    private func startSpan(_ name: @autoclosure () -> String, context: @autoclosure () -> ServiceContext) -> any Span {
        tracing ? tracer.startSpan(name(), context: context(), ofKind: .client) : NoOpTracer.NoOpSpan(context: .topLevel)
    }

    private static func describe(_ span: any Span, call: CallInfo, upstream: ResolvedUpstream) {
        if let operation = call.genAIOperation { span.attributes[GenAIAttributes.operationName] = operation }
        let provider = upstream.dialect == .mistral ? "mistral_ai" : upstream.name
        span.attributes[GenAIAttributes.providerName] = provider
        span.attributes[GenAIAttributes.system] = provider
        if let model = call.model { span.attributes[GenAIAttributes.requestModel] = model }
        if let maxTokens = call.maxTokens { span.attributes[GenAIAttributes.requestMaxTokens] = maxTokens }
        if let temperature = call.temperature { span.attributes[GenAIAttributes.requestTemperature] = temperature }
        if let url = URL(string: upstream.baseURL), let host = url.host {
            span.attributes[GenAIAttributes.serverAddress] = host
            span.attributes[GenAIAttributes.serverPort] = url.port ?? (url.scheme == "https" ? 443 : 80)
        }
    }

    static let primaryUpstreamName = "mistral"

    /// Replaces the API key wherever it appears in logged text.
    func redact(_ text: String) -> String {
        guard let key = configuration.apiKey, key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "***")
    }
}

/// Writes trace context into request headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}

extension ResponseBody {
    /// This body, keeping `slot` alive (and so taken) until the body is read or dropped.
    func holding(_ slot: ConcurrencySlot) -> ResponseBody {
        ResponseBody(SlotHoldingBody(base: self, slot: slot))
    }
}

private struct SlotHoldingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: ResponseBody
    let slot: ConcurrencySlot

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator(), slot: slot) }

    struct Iterator: AsyncIteratorProtocol {
        var base: ResponseBody.AsyncIterator
        let slot: ConcurrencySlot

        mutating func next() async throws -> ByteBuffer? {
            do {
                guard let buffer = try await base.next() else {
                    slot.release()
                    return nil
                }
                return buffer
            } catch {
                slot.release()
                throw error
            }
        }
    }
}
