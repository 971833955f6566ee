import Foundation
import MistralGatewayCore
import MistralKit
import Synchronization

/// What the gateway learns about one request as it goes, turned into its one ledger row at
/// the end: who asked, for what, what the upstream reported, how it ended.
final class RequestTrace: Sendable {
    let id: String
    let started = ContinuousClock.now
    let timestamp = Date()
    let key: VirtualKey
    let endpoint: String
    private let state: Mutex<State>

    private struct State {
        var requestedModel = ""
        var model = ""
        var tags: [String: String]
        var usage: UsageRecord?
        var timeToFirstToken: Duration?
        var fallback: String?
        var upstreamRequestID: String?
    }

    init(id: String, key: VirtualKey, endpoint: String, tags: [String: String]) {
        self.id = id
        self.key = key
        self.endpoint = endpoint
        self.state = Mutex(State(tags: tags))
    }

    /// The client's `record` callback: hears the call's usage record when it ends.
    var recorder: @Sendable (UsageRecord) -> Void {
        { record in self.state.withLock { $0.usage = record } }
    }

    var usage: UsageRecord? { state.withLock { $0.usage } }

    func requested(model: String, resolved: String, user: String?) {
        state.withLock { state in
            state.requestedModel = model
            state.model = resolved
            if let user { state.tags["user"] = user }
        }
    }

    func answered(by answeredBy: AnsweredBy?, upstreamRequestID: String?) {
        state.withLock { state in
            if let answeredBy, answeredBy.isFallback { state.fallback = "\(answeredBy.upstream)/\(answeredBy.model)" }
            state.upstreamRequestID = upstreamRequestID
        }
    }

    /// Marks the first chunk passed on; returns true the first time.
    func firstChunk() -> Duration? {
        state.withLock { state in
            guard state.timeToFirstToken == nil else { return nil }
            let elapsed = ContinuousClock.now - started
            state.timeToFirstToken = elapsed
            return elapsed
        }
    }

    /// The request's ledger row.
    func entry(status: Int, outcome: String) -> LedgerEntry {
        let elapsed = ContinuousClock.now - started
        return state.withLock { state in
            let usage = state.usage
            return LedgerEntry(
                id: id, timestamp: timestamp, keyID: key.id, owner: key.owner, endpoint: endpoint,
                requestedModel: state.requestedModel, model: usage?.model ?? state.model, provider: usage?.provider,
                promptTokens: usage?.promptTokens ?? 0, completionTokens: usage?.completionTokens ?? 0,
                cachedTokens: usage?.cachedTokens ?? 0, costUSD: usage?.costUSD ?? 0, estimated: usage?.estimated ?? false,
                status: status, outcome: outcome, latencyMilliseconds: elapsed.secondsDouble * 1000,
                timeToFirstTokenMilliseconds: state.timeToFirstToken.map { $0.secondsDouble * 1000 }, cacheHit: false,
                fallback: state.fallback, upstreamRequestID: state.upstreamRequestID ?? usage?.requestID, tags: state.tags)
        }
    }

    var model: String { state.withLock { $0.model } }
}
