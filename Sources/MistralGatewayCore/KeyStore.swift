import Foundation

/// Where gateway keys are kept. MistralStore implements it for SQLite and PostgreSQL with one
/// behaviour (one shared test suite).
///
/// Every method throws ``GatewayStoreError`` on a storage failure; lookups of an unknown id or
/// hash return `nil`, never throw.
public protocol KeyStore: Sendable {
    /// Stores a new key. Throws `.conflict` when its id or hash is taken.
    func createKey(_ key: VirtualKey) async throws
    /// The key with this id, revoked and expired ones included.
    func key(id: String) async throws -> VirtualKey?
    /// The key whose secret hashes to `secretHash`.
    func key(secretHash: String) async throws -> VirtualKey?
    /// All keys (of `owner` when given), oldest first.
    func keys(owner: String?) async throws -> [VirtualKey]
    /// Keys created, updated or revoked at or after `since`, oldest change first: how instances
    /// pick up changes made elsewhere without a restart.
    func keys(changedSince since: Date) async throws -> [VirtualKey]
    /// Replaces the stored key with the same id (setting `updatedAt` to `key.updatedAt`).
    /// Throws `.notFound` when there is none, `.conflict` when its hash is another key's.
    func updateKey(_ key: VirtualKey) async throws
}

/// A storage failure of the gateway's stores.
///
/// Tell failures apart with ``kind`` (`error.kind == .conflict`); new kinds can be added without
/// breaking callers. ``message`` is a sentence a person can act on; it names the database but
/// never a password or a key's secret.
public struct GatewayStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable and extensible set of kinds.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The database cannot be reached or refused the statement.
        public static let storage = Kind(name: "storage")
        /// The record to change does not exist.
        public static let notFound = Kind(name: "not found")
        /// A record with the same id (or key hash) exists.
        public static let conflict = Kind(name: "conflict")
        /// The kind's name: `storage`, `not found`, `conflict`.
        public var description: String { name }
    }

    /// What went wrong.
    public var kind: Kind
    /// What happened, for a person.
    public var message: String

    /// An error of `kind`, explained by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The ``message``.
    public var description: String { message }
}
