import Foundation
import MistralChat
import MistralStore
import MistralTestSupport
import Testing

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

    @Test func aBadPostgresURLIsAClearError() async throws {
        let error = await #expect(throws: ChatEngineError.self) { _ = try await PostgresChatStore(url: "postgres://nohost") }
        #expect(error?.message.contains("not a postgres://") == true)
    }
}
