import Foundation

/// Where the gateway's ledger rows are kept. MistralStore implements it for SQLite and
/// PostgreSQL with one behaviour (one shared test suite).
public protocol LedgerStore: Sendable {
    /// Appends `entries` in one transaction: all are stored or none (then it throws
    /// ``GatewayStoreError`` `.storage` and the caller keeps them to try again). An entry whose
    /// id is already stored is skipped, so a retried batch never counts a request twice.
    func append(_ entries: [LedgerEntry]) async throws
    /// The rows `query` selects, oldest first.
    func entries(_ query: LedgerQuery) async throws -> [LedgerEntry]
    /// The cost of a key's rows at or after `since`: what seeds its budgets when an instance starts.
    func spentUSD(keyID: String, since: Date) async throws -> Double
}

/// Everything the gateway keeps: its keys and its ledger.
public typealias GatewayStore = KeyStore & LedgerStore
