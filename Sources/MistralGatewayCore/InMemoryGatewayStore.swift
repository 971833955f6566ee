import Foundation
import Synchronization

/// Keys and ledger in memory: for tests and a gateway run without a database.
public final class InMemoryGatewayStore: KeyStore, LedgerStore {
    private struct State {
        var keys: [String: VirtualKey] = [:]
        var order: [String] = []
        var ledger: [LedgerEntry] = []
        var ledgerIDs: Set<String> = []
    }

    private let state = Mutex(State())

    public init() {}

    public func createKey(_ key: VirtualKey) async throws {
        try state.withLock { state in
            if state.keys[key.id] != nil || state.keys.values.contains(where: { $0.secretHash == key.secretHash }) {
                throw GatewayStoreError(.conflict, "A key with id \(key.id) or the same secret exists.")
            }
            state.keys[key.id] = key
            state.order.append(key.id)
        }
    }

    public func key(id: String) async throws -> VirtualKey? { state.withLock { $0.keys[id] } }

    public func key(secretHash: String) async throws -> VirtualKey? {
        state.withLock { state in state.keys.values.first { $0.secretHash == secretHash } }
    }

    public func keys(owner: String?) async throws -> [VirtualKey] {
        state.withLock { state in
            state.order.compactMap { state.keys[$0] }.filter { owner == nil || $0.owner == owner }
        }
    }

    public func keys(changedSince since: Date) async throws -> [VirtualKey] {
        state.withLock { state in
            state.keys.values.filter { $0.updatedAt >= since }.sorted { $0.updatedAt < $1.updatedAt }
        }
    }

    public func updateKey(_ key: VirtualKey) async throws {
        try state.withLock { state in
            guard state.keys[key.id] != nil else { throw GatewayStoreError(.notFound, "No key \(key.id).") }
            state.keys[key.id] = key
        }
    }

    public func append(_ entries: [LedgerEntry]) async throws {
        state.withLock { state in
            for entry in entries where state.ledgerIDs.insert(entry.id).inserted { state.ledger.append(entry) }
        }
    }

    public func entries(_ query: LedgerQuery) async throws -> [LedgerEntry] {
        state.withLock { state in
            let matching = state.ledger.filter { entry in
                (query.keyID.map { entry.keyID == $0 } ?? true) && (query.owner.map { entry.owner == $0 } ?? true)
                    && (query.since.map { entry.timestamp >= $0 } ?? true) && (query.until.map { entry.timestamp < $0 } ?? true)
            }.sorted { $0.timestamp < $1.timestamp }
            return Array(matching.dropFirst(query.offset).prefix(query.limit))
        }
    }

    public func spentUSD(keyID: String, since: Date) async throws -> Double {
        state.withLock { state in
            state.ledger.filter { $0.keyID == keyID && $0.timestamp >= since }.reduce(0) { $0 + $1.costUSD }
        }
    }
}
