import Logging
import PostgresNIO

extension PostgresClient {
    /// Applies the `migrations` (one list of statements per version) not yet recorded in the
    /// version table `table`: all of them in one transaction, under the advisory lock `lock`, so
    /// that instances starting together do not race. Each store keeps its own table and lock,
    /// so stores sharing a database migrate apart.
    func migrate(_ migrations: [[String]], versionTable table: String, lock: Int64, logger: Logger) async throws {
        try await withTransaction(logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(\(lock))"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(table) (version INTEGER PRIMARY KEY)"), logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query(PostgresQuery(unsafeSQL: "SELECT version FROM \(table)"), logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for (index, statements) in migrations.enumerated() where !applied.contains(index + 1) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (version) VALUES (\(index + 1))"), logger: logger)
            }
        }
    }
}
