import Foundation
import Synchronization

/// Keys and ledger in memory: for tests and a gateway run without a database.
///
/// Same behaviour as MistralStore's SQLite and PostgreSQL stores (the shared test suite runs
/// against it too); everything is lost when the process ends.
public final class InMemoryGatewayStore: KeyStore, LedgerStore {
    private struct State {
        var keys: [String: VirtualKey] = [:]
        var ledger: [LedgerEntry] = []
        var ledgerIDs: Set<String> = []
        var refusesLedger = false
    }

    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    /// While `true`, ``append(_:)`` throws as a database that is down would (for tests of
    /// what the gateway does then).
    public var refusesLedgerWrites: Bool {
        get { state.withLock { $0.refusesLedger } }
        set { state.withLock { $0.refusesLedger = newValue } }
    }

    public func createKey(_ key: VirtualKey) async throws {
        try state.withLock { state in
            if state.keys[key.id] != nil || state.keys.values.contains(where: { $0.secretHash == key.secretHash }) {
                throw GatewayStoreError(.conflict, "A key with id \(key.id) or the same secret exists.")
            }
            state.keys[key.id] = key
        }
    }

    public func key(id: String) async throws -> VirtualKey? { state.withLock { $0.keys[id] } }

    public func key(secretHash: String) async throws -> VirtualKey? {
        state.withLock { state in state.keys.values.first { $0.secretHash == secretHash } }
    }

    public func keys(owner: String?) async throws -> [VirtualKey] {
        state.withLock { state in
            state.keys.values.filter { owner == nil || $0.owner == owner }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    public func keys(changedSince since: Date) async throws -> [VirtualKey] {
        state.withLock { state in
            state.keys.values.filter { $0.updatedAt >= since }.sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
        }
    }

    public func updateKey(_ key: VirtualKey) async throws {
        try state.withLock { state in
            guard state.keys[key.id] != nil else { throw GatewayStoreError(.notFound, "There is no key \(key.id).") }
            if state.keys.values.contains(where: { $0.id != key.id && $0.secretHash == key.secretHash }) {
                throw GatewayStoreError(.conflict, "A key with id \(key.id) or the same secret exists.")
            }
            state.keys[key.id] = key
        }
    }

    public func append(_ entries: [LedgerEntry]) async throws {
        try state.withLock { state in
            if state.refusesLedger { throw GatewayStoreError(.storage, "The ledger refuses writes (refusesLedgerWrites).") }
            for entry in entries where state.ledgerIDs.insert(entry.id).inserted { state.ledger.append(entry) }
        }
    }

    public func entries(_ query: LedgerQuery) async throws -> [LedgerEntry] {
        state.withLock { state in
            let matching = state.ledger.filter { entry in
                (query.keyID.map { entry.keyID == $0 } ?? true) && (query.owner.map { entry.owner == $0 } ?? true)
                    && (query.since.map { entry.timestamp >= $0 } ?? true) && (query.until.map { entry.timestamp < $0 } ?? true)
            }.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
            return Array(matching.dropFirst(max(query.offset, 0)).prefix(min(max(query.limit, 0), LedgerQuery.maximumLimit)))
        }
    }

    public func spentUSD(keyID: String, since: Date) async throws -> Double {
        state.withLock { state in
            state.ledger.filter { $0.keyID == keyID && $0.timestamp >= since }.reduce(0) { $0 + $1.costUSD }
        }
    }
}
