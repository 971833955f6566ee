import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MistralGatewayCore
import MistralKit
import NIOCore

/// One request through the gateway, top to bottom: authenticate the key → read and validate
/// the body → check the model → admit (key limits, budget reservation) → relay through the
/// upstream client inside the fair queue → answer (JSON, or the relayed event stream) →
/// settle the admission with the real usage → one ledger row and the metrics.
struct RelayHandler: Sendable {
    let client: MistralClient
    let keys: KeyRing
    let gates: KeyGates
    let ledger: LedgerWriter
    let metrics: GatewayMetrics
    let decoding: RequestDecoding
    let configuration: GatewayConfiguration

    /// A JSON-body endpoint: chat and FIM (streamed or not), embeddings, classifiers, OCR.
    func handle(_ endpoint: GatewayEndpoint, _ request: Request, channel: any Channel) async -> Response {
        let requestID = Self.newRequestID()
        let key: VirtualKey
        switch await keys.authenticate(request) {
        case .success(let found): key = found
        case .failure(let failure): return respond(failure, requestID: requestID)
        }
        let trace = RequestTrace(id: requestID, key: key, endpoint: endpoint.rawValue, tags: Self.tags(request.headers))
        var admission: Admission?
        do {
            let body = try await collectBody(request)
            let decoded = try decoding.decode(endpoint, body: body)
            trace.requested(model: decoded.requestedModel, resolved: decoded.relay.model ?? decoded.requestedModel, user: decoded.user)
            guard key.allows(model: decoded.requestedModel) else { throw GatewayFailure.modelNotAllowed(decoded.requestedModel) }
            guard !ledger.isFull else { throw GatewayFailure.ledgerFull }
            let gate = try await openGate(for: key)
            admission = try gate.admit(client.estimate(decoded.relay))
            let scheduling = scheduling(for: key, request.headers)
            if decoded.streaming {
                let stream = try await FairQueue.Scheduling.with(scheduling) {
                    try await client.relayStream(decoded.relay, tags: [:], record: trace.recorder)
                }
                return streamResponse(stream, trace: trace, admission: admission!, gate: gate, channel: channel)
            }
            let relayed = try await FairQueue.Scheduling.with(scheduling) {
                try await client.relay(decoded.relay, tags: [:], record: trace.recorder)
            }
            trace.answered(by: relayed.answeredBy, upstreamRequestID: relayed.upstreamRequestID)
            admission?.finish(record: trace.usage)
            finish(trace, status: 200, outcome: "ok")
            var headers = successHeaders(requestID: requestID, answeredBy: relayed.answeredBy, gate: gate)
            if let upstreamID = relayed.upstreamRequestID { headers[Self.upstreamRequestIDHeader] = upstreamID }
            return .json(bytes: relayed.body, headers: headers)
        } catch {
            admission?.finish(record: trace.usage)
            let failure = Self.failure(error)
            finish(trace, status: failure.status, outcome: failure.outcome)
            return respond(failure, requestID: requestID)
        }
    }

    /// `GET /v1/models` and `GET /v1/models/{id}`: the upstream's models this key may use, and
    /// the gateway's aliases as models of their own.
    func models(_ request: Request, id: String?) async -> Response {
        let requestID = Self.newRequestID()
        let key: VirtualKey
        switch await keys.authenticate(request) {
        case .success(let found): key = found
        case .failure(let failure): return respond(failure, requestID: requestID)
        }
        do {
            if let id {
                guard key.allows(model: id) else { throw GatewayFailure.modelNotAllowed(id) }
                let relayed = try await client.relay(.retrieveModel(id: configuration.aliases[id] ?? id))
                var card = try JSONParser.parse(relayed.body)
                if configuration.aliases[id] != nil, case .object(var members) = card {
                    members["id"] = .string(id)
                    card = .object(members)
                }
                return json(card, requestID: requestID)
            }
            let relayed = try await client.relay(.listModels)
            guard case .object(var list) = try JSONParser.parse(relayed.body), case .array(let cards) = list["data"] ?? .null else {
                throw GatewayFailure.relay(MistralError(kind: .undecodableResponse, message: "The upstream's model list has no data."))
            }
            // A card is listed when the key may use its id or one of its aliases.
            var visible = cards.filter { card in
                let names = [card["id"]?.stringValue].compactMap { $0 } + (card["aliases"]?.arrayValue ?? []).compactMap(\.stringValue)
                return names.contains { key.allows(model: $0) }
            }
            for (alias, target) in configuration.aliases.sorted(by: { $0.key < $1.key }) where key.allows(model: alias) {
                guard case .object(var members) = cards.first(where: { $0["id"]?.stringValue == target }) ?? .null else { continue }
                members["id"] = .string(alias)
                visible.append(.object(members))
            }
            list["data"] = .array(visible)
            return json(.object(list), requestID: requestID)
        } catch {
            return respond(Self.failure(error), requestID: requestID)
        }
    }

    // MARK: - Steps

    func collectBody(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes {
            throw GatewayFailure.bodyTooLarge(limit: configuration.maxBodyBytes)
        }
        do {
            let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw GatewayFailure.bodyTooLarge(limit: configuration.maxBodyBytes)
        }
    }

    func openGate(for key: VirtualKey) async throws -> KeyGate {
        do {
            return try await gates.gate(for: key)
        } catch {
            configuration.logger.error("cannot read a key's spending", metadata: ["key": "\(key.prefix)", "error": "\(error)"])
            throw GatewayFailure.envelope(
                status: 503, message: "The gateway cannot read this key's spending from its database; try again shortly.",
                type: "gateway_storage_unavailable", retryAfter: .seconds(1), outcome: "storage")
        }
    }

    /// The request's place in the upstream queue: its key's lane, the key's priority unless the
    /// request asks for `batch`, and the request's own maximum wait when it gives a shorter one.
    func scheduling(for key: VirtualKey, _ headers: HTTPFields) -> FairQueue.Scheduling {
        var priority: FairQueue.Priority = key.limits.priority == .batch ? .batch : .interactive
        if headers[Self.priorityHeader]?.lowercased() == "batch" { priority = .batch }
        var maxWait = configuration.maxQueueWait
        if let milliseconds = headers[Self.maxWaitHeader].flatMap(Int.init), milliseconds >= 0 {
            maxWait = min(maxWait, .milliseconds(milliseconds))
        }
        return FairQueue.Scheduling(lane: key.id, priority: priority, maxWait: maxWait)
    }

    // MARK: - Streams

    /// The relayed event stream, passed on as each read arrives. A failure after the head
    /// becomes an error event (never `[DONE]`); a client that goes away (its connection closes,
    /// or a write to it fails) cancels the upstream request at once, and what was consumed is
    /// billed.
    ///
    /// The upstream is read in a task of its own that the connection's closing cancels: the
    /// writer may be waiting for the upstream's next chunk, and would not notice the client
    /// leaving until that chunk came.
    private func streamResponse(
        _ stream: RelayedStream, trace: RequestTrace, admission: Admission, gate: KeyGate, channel: any Channel
    ) -> Response {
        trace.answered(by: stream.answeredBy, upstreamRequestID: stream.upstreamRequestID)
        var headers = successHeaders(requestID: trace.id, answeredBy: stream.answeredBy, gate: gate)
        if let upstreamID = stream.upstreamRequestID { headers[Self.upstreamRequestIDHeader] = upstreamID }
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[Self.accelBuffering] = "no"
        let metrics = metrics
        let model = trace.model
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { [self] writer in
                let (buffers, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
                let upstream = Task {
                    var iterator = stream.makeAsyncIterator()
                    do {
                        while let buffer = try await iterator.next() { continuation.yield(buffer) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                channel.closeFuture.whenComplete { _ in upstream.cancel() }
                var outcome = "ok"
                do {
                    for try await buffer in buffers {
                        if let elapsed = trace.firstChunk() { metrics.timeToFirstToken(endpoint: trace.endpoint, model: model, elapsed) }
                        do {
                            try await writer.write(buffer)
                        } catch {
                            // The client went away: stop reading the upstream.
                            upstream.cancel()
                            outcome = MistralError.Kind.cancelled.description
                            break
                        }
                    }
                } catch {
                    let failure = MistralError(normalizing: error)
                    outcome = failure.kind.description
                    try? await writer.write(ByteBuffer(bytes: Self.errorEvent(failure)))
                }
                // The usage record is made when the upstream task ends, however it ends.
                await upstream.value
                admission.finish(record: trace.usage)
                finish(trace, status: 200, outcome: outcome)
                try? await writer.finish(nil)
            })
    }

    /// A failure inside a stream, as an `error` event: Mistral's error envelope, plus an `error`
    /// member so OpenAI clients raise it too.
    static func errorEvent(_ error: MistralError) -> [UInt8] {
        let type = error.kind == .streamError ? (error.type ?? "upstream_error") : "gateway_" + error.kind.description.replacingOccurrences(of: " ", with: "_")
        let inner: JSONValue = ["message": .string(error.message), "type": .string(type), "code": error.code.map { .string($0) } ?? nil]
        let body: JSONValue = [
            "object": "error", "message": .string(error.message), "type": .string(type), "param": nil,
            "code": error.code.map { .string($0) } ?? nil, "error": inner,
        ]
        let data = (try? Array(JSONCoding.encode(body))) ?? Array("{\"object\":\"error\"}".utf8)
        return Array("event: error\ndata: ".utf8) + data + Array("\n\n".utf8)
    }

    // MARK: - Answers

    func finish(_ trace: RequestTrace, status: Int, outcome: String) {
        let entry = trace.entry(status: status, outcome: outcome)
        ledger.append(entry)
        configuration.accessLog?.write(entry, keyPrefix: trace.key.prefix)
        metrics.request(
            endpoint: trace.endpoint, model: entry.model, keyPrefix: trace.key.prefix, status: status,
            duration: ContinuousClock.now - trace.started)
    }

    private func successHeaders(requestID: String, answeredBy: AnsweredBy?, gate: KeyGate) -> HTTPFields {
        var headers = HTTPFields()
        headers[Self.requestIDHeader] = requestID
        if let answeredBy {
            headers[Self.routeHeader] = "\(answeredBy.upstream)/\(answeredBy.model)"
            if answeredBy.isFallback { headers[Self.fallbackHeader] = "\(answeredBy.upstream)/\(answeredBy.model)" }
        }
        if gate.softLimitCrossed { headers[Self.budgetWarningHeader] = "soft budget limit crossed" }
        return headers
    }

    /// The headers every answer carries: the gateway's request id.
    func requestHeaders(_ requestID: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[Self.requestIDHeader] = requestID
        return headers
    }

    func respond(_ failure: GatewayFailure, requestID: String) -> Response {
        var headers = HTTPFields()
        headers[Self.requestIDHeader] = requestID
        headers[Self.errorSourceHeader] = failure.source.rawValue
        if let seconds = failure.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        return .json(failure.body, status: HTTPResponse.Status(code: failure.status), headers: headers)
    }

    private func json(_ value: JSONValue, requestID: String) -> Response {
        var headers = HTTPFields()
        headers[Self.requestIDHeader] = requestID
        return .json(value, headers: headers)
    }

    static func failure(_ error: any Error) -> GatewayFailure {
        if let failure = error as? GatewayFailure { return failure }
        return .relay(MistralError(normalizing: error))
    }

    /// The caller's ledger tags: `x-mistralkit-tags: team=support,feature=faq`.
    static func tags(_ headers: HTTPFields) -> [String: String] {
        guard let header = headers[tagsHeader] else { return [:] }
        var tags: [String: String] = [:]
        for pair in header.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.count <= 64, value.count <= 256, tags.count < 32 else { continue }
            tags[name] = value
        }
        return tags
    }

    /// `gw-` and 32 random hex digits (128 bits, as a UUID's), made without Foundation's
    /// string searching, which showed in the per-request profile.
    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 35) { buffer in
            buffer[0] = UInt8(ascii: "g")
            buffer[1] = UInt8(ascii: "w")
            buffer[2] = UInt8(ascii: "-")
            var index = 3
            for _ in 0..<2 {
                var word = generator.next()
                for _ in 0..<16 {
                    buffer[index] = digits[Int(word & 0xF)]
                    word >>= 4
                    index += 1
                }
            }
            return index
        }
    }

    static let requestIDHeader = HTTPField.Name("x-request-id")!
    static let upstreamRequestIDHeader = HTTPField.Name("x-upstream-request-id")!
    static let errorSourceHeader = HTTPField.Name("x-mistralkit-error-source")!
    static let routeHeader = HTTPField.Name("x-mistralkit-route")!
    static let fallbackHeader = HTTPField.Name("x-mistralkit-fallback")!
    static let budgetWarningHeader = HTTPField.Name("x-mistralkit-budget-warning")!
    static let tagsHeader = HTTPField.Name("x-mistralkit-tags")!
    static let priorityHeader = HTTPField.Name("x-mistralkit-priority")!
    static let maxWaitHeader = HTTPField.Name("x-mistralkit-max-wait-ms")!
    static let accelBuffering = HTTPField.Name("x-accel-buffering")!
}
