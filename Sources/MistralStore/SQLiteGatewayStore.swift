import Foundation
import GRDB
import MistralGatewayCore

/// The gateway's keys and ledger in an embedded SQLite file, through GRDB: WAL mode, its own
/// migrations, one writer at a time. For a single gateway instance.
///
/// It may share a file with ``SQLiteChatStore``: its tables (`gateway_keys`, `gateway_ledger`)
/// and migration names (`gateway v1: …`) are its own. Same behaviour as
/// ``PostgresGatewayStore`` (one test suite runs against both).
public final class SQLiteGatewayStore: KeyStore, LedgerStore {
    private let pool: DatabasePool
    private let path: String

    /// Opens (creating if needed) the database at `path` and migrates the gateway's tables.
    ///
    /// - Throws: `GatewayStoreError` `.storage` naming the file when it cannot be opened or is
    ///   not an SQLite database.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw GatewayStoreError(.storage, "Cannot open the gateway database \(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("gateway v1: keys, ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE gateway_keys (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, prefix TEXT NOT NULL,
                        secret_hash TEXT NOT NULL, limits TEXT NOT NULL,
                        created_at REAL NOT NULL, updated_at REAL NOT NULL, expires_at REAL, revoked_at REAL);
                    CREATE UNIQUE INDEX gateway_keys_by_hash ON gateway_keys (secret_hash);
                    CREATE INDEX gateway_keys_by_owner ON gateway_keys (owner, created_at);
                    CREATE INDEX gateway_keys_by_change ON gateway_keys (updated_at);
                    CREATE TABLE gateway_ledger (
                        id TEXT PRIMARY KEY, timestamp REAL NOT NULL, key_id TEXT NOT NULL, owner TEXT NOT NULL,
                        endpoint TEXT NOT NULL, requested_model TEXT NOT NULL, model TEXT NOT NULL, provider TEXT,
                        prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
                        cost_usd REAL NOT NULL, estimated INTEGER NOT NULL, status INTEGER NOT NULL, outcome TEXT NOT NULL,
                        latency_ms REAL NOT NULL, time_to_first_token_ms REAL, cache_hit INTEGER NOT NULL,
                        fallback TEXT, upstream_request_id TEXT, tags TEXT NOT NULL);
                    CREATE INDEX gateway_ledger_by_key ON gateway_ledger (key_id, timestamp);
                    CREATE INDEX gateway_ledger_by_owner ON gateway_ledger (owner, timestamp);
                    CREATE INDEX gateway_ledger_by_time ON gateway_ledger (timestamp);
                    """)
        }
        return migrator
    }

    // MARK: - Keys

    public func createKey(_ key: VirtualKey) async throws {
        let limits = try GatewayRows.encodeLimits(key.limits)
        try await write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM gateway_keys WHERE id = ? OR secret_hash = ?", arguments: [key.id, key.secretHash]) != nil
            {
                throw GatewayRows.takenKey(key.id)
            }
            try db.execute(
                sql: """
                    INSERT INTO gateway_keys (id, name, owner, prefix, secret_hash, limits, created_at, updated_at, expires_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id, key.name, key.owner, key.prefix, key.secretHash, limits, StoreRows.seconds(key.createdAt),
                    StoreRows.seconds(key.updatedAt), key.expiresAt.map(StoreRows.seconds), key.revokedAt.map(StoreRows.seconds),
                ])
        }
    }

    public func key(id: String) async throws -> VirtualKey? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM gateway_keys WHERE id = ?", arguments: [id]).map(Self.key) }
    }

    public func key(secretHash: String) async throws -> VirtualKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM gateway_keys WHERE secret_hash = ?", arguments: [secretHash]).map(Self.key)
        }
    }

    public func keys(owner: String?) async throws -> [VirtualKey] {
        try await read { db in
            let rows =
                if let owner {
                    try Row.fetchAll(db, sql: "SELECT * FROM gateway_keys WHERE owner = ? ORDER BY created_at, id", arguments: [owner])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM gateway_keys ORDER BY created_at, id")
                }
            return try rows.map(Self.key)
        }
    }

    public func keys(changedSince since: Date) async throws -> [VirtualKey] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM gateway_keys WHERE updated_at >= ? ORDER BY updated_at, id", arguments: [StoreRows.seconds(since)]
            ).map(Self.key)
        }
    }

    public func updateKey(_ key: VirtualKey) async throws {
        let limits = try GatewayRows.encodeLimits(key.limits)
        try await write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM gateway_keys WHERE secret_hash = ? AND id <> ?", arguments: [key.secretHash, key.id]) != nil
            {
                throw GatewayRows.takenKey(key.id)
            }
            try db.execute(
                sql: """
                    UPDATE gateway_keys SET name = ?, owner = ?, prefix = ?, secret_hash = ?, limits = ?, created_at = ?, updated_at = ?,
                        expires_at = ?, revoked_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    key.name, key.owner, key.prefix, key.secretHash, limits, StoreRows.seconds(key.createdAt), StoreRows.seconds(key.updatedAt),
                    key.expiresAt.map(StoreRows.seconds), key.revokedAt.map(StoreRows.seconds), key.id,
                ])
            if db.changesCount == 0 { throw GatewayRows.unknownKey(key.id) }
        }
    }

    // MARK: - Ledger

    public func append(_ entries: [LedgerEntry]) async throws {
        guard !entries.isEmpty else { return }
        let rows = try entries.map { entry in (entry, try GatewayRows.encodeTags(entry.tags)) }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO gateway_ledger (id, timestamp, key_id, owner, endpoint, requested_model, model, provider, prompt_tokens,
                        completion_tokens, cached_tokens, cost_usd, estimated, status, outcome, latency_ms, time_to_first_token_ms, cache_hit,
                        fallback, upstream_request_id, tags)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """)
            for (entry, tags) in rows {
                try statement.execute(arguments: [
                    entry.id, StoreRows.seconds(entry.timestamp), entry.keyID, entry.owner, entry.endpoint, entry.requestedModel,
                    entry.model, entry.provider, entry.promptTokens, entry.completionTokens, entry.cachedTokens, entry.costUSD,
                    entry.estimated, entry.status, entry.outcome, entry.latencyMilliseconds, entry.timeToFirstTokenMilliseconds,
                    entry.cacheHit, entry.fallback, entry.upstreamRequestID, tags,
                ])
            }
        }
    }

    public func entries(_ query: LedgerQuery) async throws -> [LedgerEntry] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let keyID = query.keyID {
            conditions.append("key_id = ?")
            arguments += [keyID]
        }
        if let owner = query.owner {
            conditions.append("owner = ?")
            arguments += [owner]
        }
        if let since = query.since {
            conditions.append("timestamp >= ?")
            arguments += [StoreRows.seconds(since)]
        }
        if let until = query.until {
            conditions.append("timestamp < ?")
            arguments += [StoreRows.seconds(until)]
        }
        let page = GatewayRows.page(query)
        arguments += [page.limit, page.offset]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM gateway_ledger \(filter) ORDER BY timestamp, id LIMIT ? OFFSET ?"
        return try await read { [arguments] db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry) }
    }

    public func spentUSD(keyID: String, since: Date) async throws -> Double {
        try await read { db in
            try Double.fetchOne(
                db, sql: "SELECT COALESCE(SUM(cost_usd), 0) FROM gateway_ledger WHERE key_id = ? AND timestamp >= ?",
                arguments: [keyID, StoreRows.seconds(since)]) ?? 0
        }
    }

    // MARK: - Rows

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch { throw mapped(error) }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch { throw mapped(error) }
    }

    private func mapped(_ error: any Error) -> any Error {
        if error is GatewayStoreError || error is CancellationError { return error }
        return GatewayStoreError(.storage, "The gateway database \(path) failed: \(error)")
    }

    private static func key(_ row: Row) throws -> VirtualKey {
        VirtualKey(
            id: row["id"], name: row["name"], owner: row["owner"], prefix: row["prefix"], secretHash: row["secret_hash"],
            limits: try GatewayRows.decodeLimits(row["limits"]), createdAt: StoreRows.date(row["created_at"]),
            updatedAt: StoreRows.date(row["updated_at"]), expiresAt: (row["expires_at"] as Double?).map(StoreRows.date),
            revokedAt: (row["revoked_at"] as Double?).map(StoreRows.date))
    }

    private static func entry(_ row: Row) throws -> LedgerEntry {
        LedgerEntry(
            id: row["id"], timestamp: StoreRows.date(row["timestamp"]), keyID: row["key_id"], owner: row["owner"],
            endpoint: row["endpoint"], requestedModel: row["requested_model"], model: row["model"], provider: row["provider"],
            promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"], cachedTokens: row["cached_tokens"],
            costUSD: row["cost_usd"], estimated: row["estimated"], status: row["status"], outcome: row["outcome"],
            latencyMilliseconds: row["latency_ms"], timeToFirstTokenMilliseconds: row["time_to_first_token_ms"],
            cacheHit: row["cache_hit"], fallback: row["fallback"], upstreamRequestID: row["upstream_request_id"],
            tags: try GatewayRows.decodeTags(row["tags"]))
    }
}
