import Foundation
import MistralChat

/// Opens the store a database URL names: a PostgreSQL server (`postgres://…`) or an SQLite
/// file (a path, or `sqlite:PATH`).
public enum ChatStoreFactory {
    /// The per-user default: `~/.mistral/mistral.sqlite`.
    public static func defaultURL(environment: [String: String]) -> String {
        if let url = environment["MISTRAL_DATABASE_URL"], !url.isEmpty { return url }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.mistral/mistral.sqlite"
    }

    /// An open store and a way to close it.
    public struct Opened: Sendable {
        public let store: any ChatStore
        public let close: @Sendable () async -> Void
    }

    /// Opens `url`. Throws `ChatEngineError` `.storage` naming the database on failure.
    public static func open(_ url: String) async throws -> Opened {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let store = try await PostgresChatStore(url: url)
            return Opened(store: store, close: { await store.shutdown() })
        }
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        let store = try SQLiteChatStore(path: (path as NSString).expandingTildeInPath)
        return Opened(store: store, close: {})
    }
}
