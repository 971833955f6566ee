import Foundation
import MistralChat
import MistralKit
import MistralStore
import MistralTestSupport
import Synchronization
import Testing

/// A turn looks each thing up once: its conversation, its agent and its history are read one
/// time each and passed along, whichever way the turn is started.
@Suite("Turn lookups")
struct TurnLookupTests {
    @Test func aTurnReadsItsConversationAgentAndHistoryOnce() async throws {
        try await withTemporaryDirectory { directory in
            let store = CountingStore(try SQLiteChatStore(path: directory.appendingPathComponent("chat.sqlite").path))
            try await withEmulatorClient { client, _ in
                let engine = ChatEngine(client: client, store: store)
                _ = try await store.saveAgent(Agent(name: "support", instructions: "Be brief."))

                let first = try await engine.send("Where is my order?", userID: "u", sessionID: "s", agentName: "support")
                #expect(store.reads == ["conversations": 1, "agent": 1, "entries": 1])

                store.reset()
                _ = try await engine.send("And the next one?", userID: "u", sessionID: "s", agentName: "support")
                #expect(store.reads == ["conversations": 1, "agent": 1, "entries": 1])

                store.reset()
                _ = try await engine.send("Thanks.", conversationID: first.conversation.id)
                #expect(store.reads == ["conversation": 1, "agent": 1, "entries": 1])
            }
        }
    }
}

/// A store that counts the reads a turn makes of conversations, agents and entries, and passes
/// every call on to `base`.
final class CountingStore: ChatStore {
    let base: any ChatStore
    private let counts = Mutex<[String: Int]>([:])

    init(_ base: any ChatStore) { self.base = base }

    var reads: [String: Int] { counts.withLock { $0 } }
    func reset() { counts.withLock { $0 = [:] } }
    private func count(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }

    func createConversation(_ conversation: Conversation) async throws { try await base.createConversation(conversation) }
    func conversation(id: String) async throws -> Conversation? {
        count("conversation")
        return try await base.conversation(id: id)
    }
    func conversations(owner: String, userID: String?, limit: Int, offset: Int) async throws -> [Conversation] {
        try await base.conversations(owner: owner, userID: userID, limit: limit, offset: offset)
    }

    func conversations(userID: String, sessionID: String?, limit: Int, offset: Int) async throws -> [Conversation] {
        count("conversations")
        return try await base.conversations(userID: userID, sessionID: sessionID, limit: limit, offset: offset)
    }
    func updatePinnedFacts(conversationID: String, _ facts: [String]) async throws { try await base.updatePinnedFacts(conversationID: conversationID, facts) }
    func deleteConversation(id: String) async throws -> Bool { try await base.deleteConversation(id: id) }
    func entries(conversationID: String) async throws -> [ConversationEntry] {
        count("entries")
        return try await base.entries(conversationID: conversationID)
    }
    func append(_ entries: [ConversationEntry], to conversationID: String) async throws -> [ConversationEntry] {
        try await base.append(entries, to: conversationID)
    }
    func update(_ entry: ConversationEntry) async throws { try await base.update(entry) }
    func setFeedback(_ feedback: Feedback, entryID: String) async throws { try await base.setFeedback(feedback, entryID: entryID) }

    func saveAgent(_ agent: Agent) async throws -> Agent { try await base.saveAgent(agent) }
    func agent(name: String, version: Int?) async throws -> Agent? {
        count("agent")
        return try await base.agent(name: name, version: version)
    }
    func agents() async throws -> [Agent] { try await base.agents() }
    func deleteAgent(name: String) async throws -> Bool { try await base.deleteAgent(name: name) }

    func createKnowledgeBase(_ base: KnowledgeBase) async throws { try await self.base.createKnowledgeBase(base) }
    func knowledgeBase(name: String) async throws -> KnowledgeBase? { try await base.knowledgeBase(name: name) }
    func knowledgeBases() async throws -> [KnowledgeBase] { try await base.knowledgeBases() }
    func document(knowledgeBase: String, source: String) async throws -> KnowledgeDocument? {
        try await base.document(knowledgeBase: knowledgeBase, source: source)
    }
    func documents(knowledgeBase: String) async throws -> [KnowledgeDocument] { try await base.documents(knowledgeBase: knowledgeBase) }
    func replaceDocument(_ document: KnowledgeDocument, chunks: [KnowledgeChunk]) async throws {
        try await base.replaceDocument(document, chunks: chunks)
    }
    func revision(knowledgeBase: String) async throws -> Int? { try await base.revision(knowledgeBase: knowledgeBase) }
    func chunks(knowledgeBase: String) async throws -> [KnowledgeChunk] { try await base.chunks(knowledgeBase: knowledgeBase) }
    func searchText(knowledgeBase: String, query: String, limit: Int) async throws -> [String] {
        try await base.searchText(knowledgeBase: knowledgeBase, query: query, limit: limit)
    }
    func deleteDocument(id: String, knowledgeBase: String) async throws -> Bool {
        try await base.deleteDocument(id: id, knowledgeBase: knowledgeBase)
    }
    func deleteKnowledgeBase(name: String) async throws -> Bool { try await base.deleteKnowledgeBase(name: name) }
    func document(id: String, knowledgeBase: String) async throws -> KnowledgeDocument? {
        try await base.document(id: id, knowledgeBase: knowledgeBase)
    }
    func failAbandonedTurns(conversationID: String?, now: Date) async throws -> Int {
        try await base.failAbandonedTurns(conversationID: conversationID, now: now)
    }
    func updateKnowledgeBase(_ knowledgeBase: KnowledgeBase) async throws -> Bool { try await base.updateKnowledgeBase(knowledgeBase) }
    func renameDocument(id: String, knowledgeBase: String, title: String, file: DocumentFile?) async throws -> Bool {
        try await base.renameDocument(id: id, knowledgeBase: knowledgeBase, title: title, file: file)
    }
    func setAgentAlias(name: String, alias: String, version: Int) async throws -> AgentAlias {
        try await base.setAgentAlias(name: name, alias: alias, version: version)
    }
    func agentAliases(name: String) async throws -> [AgentAlias] { try await base.agentAliases(name: name) }
    func deleteAgentAlias(name: String, alias: String) async throws -> Bool { try await base.deleteAgentAlias(name: name, alias: alias) }
}
