import Foundation
import MistralGatewayCore

/// Opens the gateway store a database URL names: a PostgreSQL server (`postgres://…`) or an
/// SQLite file (a path, or `sqlite:PATH`), the same URLs ``ChatStoreFactory`` takes, so one
/// database can hold both.
public enum GatewayStoreFactory {
    /// An open store and a way to close it.
    public struct Opened: Sendable {
        /// The keys and ledger.
        public let store: any GatewayStore
        /// Closes the store (stops a PostgreSQL connection pool); call it once, when done.
        public let close: @Sendable () async -> Void
    }

    /// Opens `url`: `postgres://` or `postgresql://` opens ``PostgresGatewayStore``, anything else
    /// is an SQLite file for ``SQLiteGatewayStore`` (`~` expanded).
    ///
    /// - Throws: `GatewayStoreError` `.storage` naming the database (never its password) when it
    ///   cannot be opened or migrated.
    public static func open(_ url: String) async throws -> Opened {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let store = try await PostgresGatewayStore(url: url)
            return Opened(store: store, close: { await store.shutdown() })
        }
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        let store = try SQLiteGatewayStore(path: (path as NSString).expandingTildeInPath)
        return Opened(store: store, close: {})
    }

    /// `url` with its password, if any, replaced by `***`: safe to print and log.
    public static func displayName(_ url: String) -> String {
        GatewayRows.redacted(url)
    }
}
