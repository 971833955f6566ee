import Foundation
import Logging
import MistralGatewayCore
import MistralKit
import Synchronization

/// Who pays for one Conversations API request: every model call the chat engine makes for it
/// (answers, tool steps, summaries, retrieval embeddings) becomes a ledger row under the
/// request's key, and their sum settles the key's admission (its budget reservation).
///
/// The account is found through a task-local value set around the engine's work (tasks the
/// engine starts inherit it); a call finishing outside it is still written (key
/// `unattributed`, and logged), so no token goes uncounted.
final class TurnAccount: Sendable {
    let key: VirtualKey
    let requestID: String
    let endpoint: String
    let started = Date()
    private let state = Mutex(Totals())

    private struct Totals {
        var calls = 0
        var promptTokens = 0
        var completionTokens = 0
        var cachedTokens = 0
        var costUSD = 0.0
        var estimated = false
        var model: String?
    }

    @TaskLocal static var current: TurnAccount?

    init(key: VirtualKey, requestID: String, endpoint: String) {
        self.key = key
        self.requestID = requestID
        self.endpoint = endpoint
    }

    /// Adds one call's record to the totals and returns its ledger row (`<request id>-<n>`).
    func add(_ record: UsageRecord) -> LedgerEntry {
        let index = state.withLock { totals -> Int in
            totals.calls += 1
            totals.promptTokens += record.promptTokens
            totals.completionTokens += record.completionTokens
            totals.cachedTokens += record.cachedTokens
            totals.costUSD += record.costUSD ?? 0
            totals.estimated = totals.estimated || record.estimated
            if record.endpoint.hasPrefix("chat") { totals.model = record.model }
            return totals.calls
        }
        return Self.entry(record, id: "\(requestID)-\(index)", keyID: key.id, owner: key.owner, endpoint: endpoint)
    }

    /// The request's usage so far, all calls together: what settles its admission.
    var total: UsageRecord? {
        state.withLock { totals in
            guard totals.calls > 0 else { return nil }
            return UsageRecord(
                endpoint: endpoint, model: totals.model ?? "-", promptTokens: totals.promptTokens, completionTokens: totals.completionTokens,
                cachedTokens: totals.cachedTokens, costUSD: totals.costUSD, estimated: totals.estimated)
        }
    }

    static func entry(_ record: UsageRecord, id: String, keyID: String, owner: String, endpoint: String) -> LedgerEntry {
        LedgerEntry(
            id: id, timestamp: record.timestamp, keyID: keyID, owner: owner, endpoint: endpoint + " " + record.endpoint,
            requestedModel: record.model, model: record.model, provider: record.provider, promptTokens: record.promptTokens,
            completionTokens: record.completionTokens, cachedTokens: record.cachedTokens, costUSD: record.costUSD ?? 0,
            estimated: record.estimated, status: record.outcome == "ok" ? 200 : 502, outcome: record.outcome,
            latencyMilliseconds: record.latencyMilliseconds ?? 0, upstreamRequestID: record.requestID, tags: record.tags)
    }
}

/// The chat engine client's usage ledger: each call's record goes to the gateway's ledger under
/// the key of the request it was made for (see ``TurnAccount``).
final class TurnLedger: UsageLedger {
    private let writer: LedgerWriter
    private let logger: Logger

    init(writer: LedgerWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
    }

    /// Runs `work` with its calls billed to `account`.
    func billing<Result: Sendable>(_ account: TurnAccount, _ work: () async throws -> Result) async rethrows -> Result {
        try await TurnAccount.$current.withValue(account) { try await work() }
    }

    func record(_ record: UsageRecord) {
        guard let account = TurnAccount.current else {
            logger.error("a chat engine call with no request to bill", metadata: ["model": "\(record.model)", "tokens": "\(record.totalTokens)"])
            writer.append(
                TurnAccount.entry(record, id: "unattributed-" + UUID().uuidString.lowercased(), keyID: "unattributed", owner: "-", endpoint: "conversations"))
            return
        }
        writer.append(account.add(record))
    }

    func records(since: Date?) throws -> [UsageRecord] { [] }
}
