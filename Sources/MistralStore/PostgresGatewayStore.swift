import Foundation
import Logging
import MistralGatewayCore
import PostgresNIO

/// The gateway's keys and ledger in PostgreSQL, through PostgresNIO: what several gateway
/// instances share. Same behaviour as ``SQLiteGatewayStore`` (one test suite runs against both).
///
/// It may share a database with ``PostgresChatStore``: its tables (`gateway_keys`,
/// `gateway_ledger`) and its migration table (`mistralkit_gateway_migrations`) are its own.
/// Call ``shutdown()`` when done: it stops the connection pool.
public final class PostgresGatewayStore: KeyStore, LedgerStore {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    /// The URL without its password, for error messages.
    private let database: String
    /// The server, which describes errors without the password.
    private let server: PostgresServer

    /// Connects to `url` (`postgres://user:password@host:port/database`) and migrates the
    /// gateway's tables.
    ///
    /// - Throws: `GatewayStoreError` `.storage` naming the server (never the password) when the
    ///   URL is malformed or the server cannot be reached or migrated.
    public init(url: String, logger: Logger = Logger(label: "MistralStore.PostgresGateway")) async throws {
        guard let server = PostgresServer(url: url) else {
            throw GatewayStoreError(.storage, "'\(GatewayRows.redacted(url))' is not a postgres://user:password@host:port/database URL.")
        }
        self.server = server
        database = server.display
        do {
            try await server.probe(logger: logger)
        } catch {
            throw GatewayStoreError(.storage, "Cannot connect to the PostgreSQL database at \(server.display): \(server.describe(error))")
        }
        let configuration = server.configuration
        let client = PostgresClient(configuration: configuration)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
        do {
            try await migrate()
        } catch {
            runner.cancel()
            _ = await runner.value
            throw GatewayStoreError(.storage, "Cannot use the PostgreSQL database at \(database): \(describe(error))")
        }
    }

    /// Stops the connection pool.
    public func shutdown() async {
        runner.cancel()
        _ = await runner.value
    }

    /// The schema, version by version; each runs once, in a transaction, under an advisory lock
    /// so instances starting together do not race. Versions are counted in a table of their own,
    /// apart from the chat store's.
    private static let migrations: [[String]] = [
        [
            """
            CREATE TABLE gateway_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, prefix TEXT NOT NULL,
                secret_hash TEXT NOT NULL, limits TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION, revoked_at DOUBLE PRECISION)
            """,
            "CREATE UNIQUE INDEX gateway_keys_by_hash ON gateway_keys (secret_hash)",
            "CREATE INDEX gateway_keys_by_owner ON gateway_keys (owner, created_at)",
            "CREATE INDEX gateway_keys_by_change ON gateway_keys (updated_at)",
            """
            CREATE TABLE gateway_ledger (
                id TEXT PRIMARY KEY, timestamp DOUBLE PRECISION NOT NULL, key_id TEXT NOT NULL, owner TEXT NOT NULL,
                endpoint TEXT NOT NULL, requested_model TEXT NOT NULL, model TEXT NOT NULL, provider TEXT,
                prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,
                cost_usd DOUBLE PRECISION NOT NULL, estimated BOOLEAN NOT NULL, status BIGINT NOT NULL, outcome TEXT NOT NULL,
                latency_ms DOUBLE PRECISION NOT NULL, time_to_first_token_ms DOUBLE PRECISION, cache_hit BOOLEAN NOT NULL,
                fallback TEXT, upstream_request_id TEXT, tags TEXT NOT NULL)
            """,
            "CREATE INDEX gateway_ledger_by_key ON gateway_ledger (key_id, timestamp)",
            "CREATE INDEX gateway_ledger_by_owner ON gateway_ledger (owner, timestamp)",
            "CREATE INDEX gateway_ledger_by_time ON gateway_ledger (timestamp)",
        ]
    ]

    private func migrate() async throws {
        try await client.migrate(Self.migrations, versionTable: "mistralkit_gateway_migrations", lock: 772102, logger: logger)
    }

    // MARK: - Keys

    public func createKey(_ key: VirtualKey) async throws {
        let limits = try GatewayRows.encodeLimits(key.limits)
        // No conflict target: a clash on the id or on the unique hash index both insert nothing.
        let inserted = try await rows(
            """
            INSERT INTO gateway_keys (id, name, owner, prefix, secret_hash, limits, created_at, updated_at, expires_at, revoked_at)
            VALUES (\(key.id), \(key.name), \(key.owner), \(key.prefix), \(key.secretHash), \(limits), \(StoreRows.seconds(key.createdAt)),
                \(StoreRows.seconds(key.updatedAt)), \(key.expiresAt.map(StoreRows.seconds)), \(key.revokedAt.map(StoreRows.seconds)))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        if inserted.isEmpty { throw GatewayRows.takenKey(key.id) }
    }

    public func key(id: String) async throws -> VirtualKey? {
        try await rows("SELECT * FROM gateway_keys WHERE id = \(id)").first.map(Self.key)
    }

    public func key(secretHash: String) async throws -> VirtualKey? {
        try await rows("SELECT * FROM gateway_keys WHERE secret_hash = \(secretHash)").first.map(Self.key)
    }

    public func keys(owner: String?) async throws -> [VirtualKey] {
        let query: PostgresQuery =
            owner.map { "SELECT * FROM gateway_keys WHERE owner = \($0) ORDER BY created_at, id" }
            ?? "SELECT * FROM gateway_keys ORDER BY created_at, id"
        return try await rows(query).map(Self.key)
    }

    public func keys(changedSince since: Date) async throws -> [VirtualKey] {
        try await rows("SELECT * FROM gateway_keys WHERE updated_at >= \(StoreRows.seconds(since)) ORDER BY updated_at, id").map(Self.key)
    }

    public func updateKey(_ key: VirtualKey) async throws {
        let limits = try GatewayRows.encodeLimits(key.limits)
        let changed: [PostgresRow]
        do {
            changed = try await client.query(
                """
                UPDATE gateway_keys SET name = \(key.name), owner = \(key.owner), prefix = \(key.prefix), secret_hash = \(key.secretHash),
                    limits = \(limits), created_at = \(StoreRows.seconds(key.createdAt)), updated_at = \(StoreRows.seconds(key.updatedAt)),
                    expires_at = \(key.expiresAt.map(StoreRows.seconds)), revoked_at = \(key.revokedAt.map(StoreRows.seconds))
                WHERE id = \(key.id) RETURNING id
                """, logger: logger
            ).collect()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == Self.uniqueViolation {
            throw GatewayRows.takenKey(key.id)
        } catch {
            throw mapped(error)
        }
        if changed.isEmpty { throw GatewayRows.unknownKey(key.id) }
    }

    /// SQLSTATE `unique_violation`: the new hash is another key's.
    private static let uniqueViolation = "23505"

    // MARK: - Ledger

    /// Rows per INSERT statement: 21 parameters each, well under PostgreSQL's 65,535.
    private static let rowsPerInsert = 1000

    public func append(_ entries: [LedgerEntry]) async throws {
        guard !entries.isEmpty else { return }
        var statements: [PostgresQuery] = []
        for batch in stride(from: 0, to: entries.count, by: Self.rowsPerInsert).map({ entries[$0..<min($0 + Self.rowsPerInsert, entries.count)] }) {
            var binds = PostgresBindings(capacity: batch.count * 21)
            var tuples: [String] = []
            for entry in batch {
                let first = binds.count + 1
                tuples.append("(" + (first..<first + 21).map { "$\($0)" }.joined(separator: ", ") + ")")
                binds.append(entry.id)
                binds.append(StoreRows.seconds(entry.timestamp))
                binds.append(entry.keyID)
                binds.append(entry.owner)
                binds.append(entry.endpoint)
                binds.append(entry.requestedModel)
                binds.append(entry.model)
                binds.append(entry.provider)
                binds.append(entry.promptTokens)
                binds.append(entry.completionTokens)
                binds.append(entry.cachedTokens)
                binds.append(entry.costUSD)
                binds.append(entry.estimated)
                binds.append(entry.status)
                binds.append(entry.outcome)
                binds.append(entry.latencyMilliseconds)
                binds.append(entry.timeToFirstTokenMilliseconds)
                binds.append(entry.cacheHit)
                binds.append(entry.fallback)
                binds.append(entry.upstreamRequestID)
                binds.append(try GatewayRows.encodeTags(entry.tags))
            }
            statements.append(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO gateway_ledger (id, timestamp, key_id, owner, endpoint, requested_model, model, provider, prompt_tokens,
                            completion_tokens, cached_tokens, cost_usd, estimated, status, outcome, latency_ms, time_to_first_token_ms,
                            cache_hit, fallback, upstream_request_id, tags)
                        VALUES \(tuples.joined(separator: ", "))
                        ON CONFLICT (id) DO NOTHING
                        """, binds: binds))
        }
        try await transaction { connection in
            for statement in statements { try await connection.query(statement, logger: self.logger) }
        }
    }

    public func entries(_ query: LedgerQuery) async throws -> [LedgerEntry] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func condition(_ text: String, _ value: some PostgresDynamicTypeEncodable) {
            binds.append(value)
            conditions.append(text + " $\(binds.count)")
        }
        if let keyID = query.keyID { condition("key_id =", keyID) }
        if let owner = query.owner { condition("owner =", owner) }
        if let since = query.since { condition("timestamp >=", StoreRows.seconds(since)) }
        if let until = query.until { condition("timestamp <", StoreRows.seconds(until)) }
        let page = GatewayRows.page(query)
        binds.append(page.limit)
        binds.append(page.offset)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM gateway_ledger \(filter) ORDER BY timestamp, id LIMIT $\(binds.count - 1) OFFSET $\(binds.count)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(Self.entry)
    }

    public func spentUSD(keyID: String, since: Date) async throws -> Double {
        try await rows(
            "SELECT COALESCE(SUM(cost_usd), 0) FROM gateway_ledger WHERE key_id = \(keyID) AND timestamp >= \(StoreRows.seconds(since))"
        ).first.map { try $0.decode(Double.self) } ?? 0
    }

    // MARK: - Rows

    private func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw mapped(error)
        }
    }

    private func transaction<T: Sendable>(_ body: nonisolated(nonsending) (PostgresConnection) async throws -> sending T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch {
            throw mapped(error)
        }
    }

    private func mapped(_ error: any Error) -> any Error {
        if error is GatewayStoreError || error is CancellationError { return error }
        if let error = error as? PostgresTransactionError,
            let inner = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError
        {
            return mapped(inner)
        }
        return GatewayStoreError(.storage, "The PostgreSQL database at \(database) failed: \(describe(error))")
    }

    private func describe(_ error: any Error) -> String { server.describe(error) }

    private static func key(_ row: PostgresRow) throws -> VirtualKey {
        let columns = row.makeRandomAccess()
        return VirtualKey(
            id: try columns["id"].decode(String.self), name: try columns["name"].decode(String.self),
            owner: try columns["owner"].decode(String.self), prefix: try columns["prefix"].decode(String.self),
            secretHash: try columns["secret_hash"].decode(String.self),
            limits: try GatewayRows.decodeLimits(try columns["limits"].decode(String.self)),
            createdAt: StoreRows.date(try columns["created_at"].decode(Double.self)),
            updatedAt: StoreRows.date(try columns["updated_at"].decode(Double.self)),
            expiresAt: try columns["expires_at"].decode(Double?.self).map(StoreRows.date),
            revokedAt: try columns["revoked_at"].decode(Double?.self).map(StoreRows.date))
    }

    private static func entry(_ row: PostgresRow) throws -> LedgerEntry {
        let columns = row.makeRandomAccess()
        return LedgerEntry(
            id: try columns["id"].decode(String.self), timestamp: StoreRows.date(try columns["timestamp"].decode(Double.self)),
            keyID: try columns["key_id"].decode(String.self), owner: try columns["owner"].decode(String.self),
            endpoint: try columns["endpoint"].decode(String.self), requestedModel: try columns["requested_model"].decode(String.self),
            model: try columns["model"].decode(String.self), provider: try columns["provider"].decode(String?.self),
            promptTokens: try columns["prompt_tokens"].decode(Int.self), completionTokens: try columns["completion_tokens"].decode(Int.self),
            cachedTokens: try columns["cached_tokens"].decode(Int.self), costUSD: try columns["cost_usd"].decode(Double.self),
            estimated: try columns["estimated"].decode(Bool.self), status: try columns["status"].decode(Int.self),
            outcome: try columns["outcome"].decode(String.self), latencyMilliseconds: try columns["latency_ms"].decode(Double.self),
            timeToFirstTokenMilliseconds: try columns["time_to_first_token_ms"].decode(Double?.self),
            cacheHit: try columns["cache_hit"].decode(Bool.self), fallback: try columns["fallback"].decode(String?.self),
            upstreamRequestID: try columns["upstream_request_id"].decode(String?.self),
            tags: try GatewayRows.decodeTags(try columns["tags"].decode(String.self)))
    }
}
