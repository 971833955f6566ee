import Foundation
import GRDB
import MistralChat
import MistralStore
import MistralTestSupport
import Testing

@testable import MistralStore

@Suite("Chat stores")
struct StoreTests {
    static let postgresURL = ProcessInfo.processInfo.environment["MISTRALKIT_POSTGRES_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"

    @Test func sqlite() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteChatStore(path: directory.appendingPathComponent("chat.sqlite").path)
            try await StoreSuite.run(store)
        }
    }

    @Test(.enabled(if: postgresURL != nil || required, "set MISTRALKIT_POSTGRES_URL (scripts/test.sh does)"))
    func postgres() async throws {
        let url = try #require(Self.postgresURL, "scripts/test.sh must export MISTRALKIT_POSTGRES_URL")
        let store = try await PostgresChatStore(url: url)
        do {
            try await StoreSuite.run(store)
            // A second instance on the same database migrates nothing and sees the same data.
            let other = try await PostgresChatStore(url: url)
            let conversation = Conversation(userID: "shared", sessionID: "s")
            try await store.createConversation(conversation)
            let seen = try await other.conversation(id: conversation.id)
            #expect(seen == conversation, "\(String(describing: seen)) vs \(conversation)")
            await other.shutdown()
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("notes.txt").path
            try Data("hello, this is not SQLite".utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: ChatEngineError.self) { try SQLiteChatStore(path: path) }
            #expect(error?.kind == .storage)
            #expect(error?.message.contains(path) == true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello, this is not SQLite")
        }
    }

    /// A database written before each knowledge base had its own full-text table keeps its
    /// chunks searchable, and the shared table is gone.
    @Test func aDatabaseFromBeforeVersion4KeepsItsKnowledgeSearchable() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            let queue = try DatabaseQueue(path: path)
            try SQLiteChatStore.migrator.migrate(queue, upTo: "v3: citations")
            try await queue.write { db in
                for (base, text) in [("faq", "express delivery next day"), ("other kb", "delivery by pigeon")] {
                    try db.execute(sql: "INSERT INTO knowledge_bases VALUES (?, ?, 0)", arguments: [base, #"{"name":"\#(base)"}"#])
                    try db.execute(sql: "INSERT INTO documents VALUES (?, ?, 's', 't', ?, 1, 0)", arguments: ["d-\(base)", base, text])
                    try db.execute(sql: "INSERT INTO chunks VALUES (?, ?, ?, 0, ?, x'')", arguments: ["c-\(base)", "d-\(base)", base, text])
                    try db.execute(sql: "INSERT INTO chunks_fts (text, chunk_id, knowledge_base) VALUES (?, ?, ?)", arguments: [text, "c-\(base)", base])
                }
            }
            try queue.close()
            let store = try SQLiteChatStore(path: path)
            #expect(try await store.searchText(knowledgeBase: "faq", query: "delivery", limit: 5) == ["c-faq"])
            #expect(try await store.searchText(knowledgeBase: "other kb", query: "delivery pigeon", limit: 5) == ["c-other kb"])
            #expect(try await store.searchText(knowledgeBase: "missing", query: "delivery", limit: 5).isEmpty)
            let reopened = try DatabaseQueue(path: path)
            #expect(try await reopened.read { try $0.tableExists("chunks_fts") } == false)
            try reopened.close()
        }
    }

    @Test func aBadPostgresURLIsAClearError() async throws {
        let error = await #expect(throws: ChatEngineError.self) { _ = try await PostgresChatStore(url: "postgres://nohost") }
        #expect(error?.message.contains("not a postgres://") == true)
    }
}
