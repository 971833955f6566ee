import Foundation
import GRDB
import MistralChat
import MistralGatewayCore
import MistralStore
import MistralTestSupport
import Testing

@Suite("Gateway stores")
struct GatewayStoreTests {
    static let postgresURL = ProcessInfo.processInfo.environment["MISTRALKIT_POSTGRES_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"

    @Test func inMemory() async throws {
        try await GatewayStoreSuite.run(InMemoryGatewayStore())
    }

    @Test func sqlite() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteGatewayStore(path: directory.appendingPathComponent("gateway.sqlite").path)
            try await GatewayStoreSuite.run(store)
        }
    }

    @Test(.enabled(if: postgresURL != nil || required, "set MISTRALKIT_POSTGRES_URL (scripts/test.sh does)"))
    func postgres() async throws {
        let url = try #require(Self.postgresURL, "scripts/test.sh must export MISTRALKIT_POSTGRES_URL")
        let store = try await PostgresGatewayStore(url: url)
        do {
            try await GatewayStoreSuite.run(store)
            // A second instance on the same database migrates nothing and sees the same keys at once.
            let other = try await PostgresGatewayStore(url: url)
            let (key, _) = GatewayStoreSuite.newKey(owner: GatewayStoreSuite.unique("shared"))
            try await store.createKey(key)
            let seen = try await other.key(secretHash: key.secretHash)
            await other.shutdown()
            #expect(seen == key)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    /// The chat store and the gateway store migrate the same database, in either order, and each
    /// keeps working beside the other.
    @Test(.enabled(if: postgresURL != nil || required, "set MISTRALKIT_POSTGRES_URL (scripts/test.sh does)"))
    func postgresSharesADatabaseWithTheChatStore() async throws {
        let url = try #require(Self.postgresURL)
        let gateway = try await GatewayStoreFactory.open(url)
        let chat = try await ChatStoreFactory.open(url)
        do {
            let conversation = Conversation(userID: GatewayStoreSuite.unique("user"), sessionID: "s")
            try await chat.store.createConversation(conversation)
            let (key, _) = GatewayStoreSuite.newKey(owner: GatewayStoreSuite.unique("owner"))
            try await gateway.store.createKey(key)
            #expect(try await chat.store.conversation(id: conversation.id) == conversation)
            #expect(try await gateway.store.key(id: key.id) == key)
        } catch {
            await gateway.close()
            await chat.close()
            throw error
        }
        await gateway.close()
        await chat.close()
    }

    @Test func sqliteSharesAFileWithTheChatStore() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("mistral.sqlite").path
            let (key, _) = GatewayStoreSuite.newKey(owner: "acme")
            let conversation = Conversation(userID: "alice", sessionID: "web")
            do {
                let chat = try SQLiteChatStore(path: path)
                try await chat.createConversation(conversation)
                let gateway = try SQLiteGatewayStore(path: path)
                try await gateway.createKey(key)
            }
            // Reopened in the other order, each finds its own data.
            let gateway = try await GatewayStoreFactory.open("sqlite:" + path)
            #expect(try await gateway.store.key(id: key.id) == key)
            await gateway.close()
            #expect(try await SQLiteChatStore(path: path).conversation(id: conversation.id) == conversation)
            let queue = try DatabaseQueue(path: path)
            let tables = try await queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
            #expect(tables.contains("gateway_keys") && tables.contains("gateway_ledger") && tables.contains("conversations"))
            try queue.close()
        }
    }

    /// Only the hash and the prefix reach the disk: neither the file, nor its write-ahead log,
    /// nor any column of any table holds the secret or its unshown part.
    @Test func theSQLiteFileHoldsNoSecret() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.sqlite").path
            let secret = KeySecret()
            let unshown = String(secret.secret.dropFirst(secret.prefix.count))
            let key = VirtualKey(name: "support-bot", owner: "acme", prefix: secret.prefix, secretHash: secret.hash)
            let store = try SQLiteGatewayStore(path: path)
            try await store.createKey(key)
            #expect(try await store.key(secretHash: KeySecret.hash(secret.secret))?.id == key.id)

            var bytes = Data()
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                bytes.append(try Data(contentsOf: directory.appendingPathComponent(name)))
            }
            #expect(bytes.range(of: Data(secret.hash.utf8)) != nil, "the hash is stored")
            #expect(bytes.range(of: Data(secret.prefix.utf8)) != nil, "the prefix is stored")
            #expect(bytes.range(of: Data(unshown.utf8)) == nil, "the secret reached the disk")

            let queue = try DatabaseQueue(path: path)
            let values = try await queue.read { db in
                var values: [String] = []
                for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                    for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                        values += row.databaseValues.compactMap { String.fromDatabaseValue($0) }
                    }
                }
                return values
            }
            try queue.close()
            #expect(values.contains(secret.hash))
            #expect(!values.contains { $0.contains(unshown) })
        }
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("notes.txt").path
            try Data("hello, this is not SQLite".utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: GatewayStoreError.self) { try SQLiteGatewayStore(path: path) }
            #expect(error?.kind == .storage)
            #expect(error?.message.contains(path) == true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello, this is not SQLite")
        }
    }

    @Test func aBadPostgresURLIsAClearErrorWithoutThePassword() async throws {
        let error = await #expect(throws: GatewayStoreError.self) { _ = try await PostgresGatewayStore(url: "mysql://mistral:hunter2@db/x") }
        #expect(error?.kind == .storage)
        #expect(error?.message == "'mysql://mistral:***@db/x' is not a postgres://user:password@host:port/database URL.")
        // A server that refuses the connection fails at once, not after the pool's retries.
        let started = ContinuousClock.now
        let refused = await #expect(throws: GatewayStoreError.self) { _ = try await GatewayStoreFactory.open("postgres://mistral:hunter2@127.0.0.1:1/x") }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(refused?.message.hasPrefix("Cannot connect to the PostgreSQL database at postgres://mistral:***@127.0.0.1:1/x: ") == true)
        #expect(refused?.message.contains("hunter2") == false)
        #expect(GatewayStoreFactory.displayName("postgresql://u:p@ss:w@db.internal:5432/gw") == "postgresql://u:***@db.internal:5432/gw")
        #expect(GatewayStoreFactory.displayName("postgres://u@db/gw") == "postgres://u@db/gw")
        #expect(GatewayStoreFactory.displayName("/var/lib/mistral.sqlite") == "/var/lib/mistral.sqlite")
    }
}
