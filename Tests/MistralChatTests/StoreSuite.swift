import Foundation
import MistralChat
import Testing

/// The behaviour every ChatStore must have; run against SQLite and PostgreSQL alike.
enum StoreSuite {
    static func run(_ store: any ChatStore) async throws {
        try await conversationsArePerUserAndPaged(store)
        try await conversationsArePerOwnerWithTheirDetails(store)
        try await entriesAppendInOrderAtomically(store)
        try await updatesFeedbackAndDeletion(store)
        try await agentsAreVersioned(store)
        try await agentAliasesPointAtVersions(store)
        try await abandonedAnswersAreFailedByTheirLease(store)
        try await unknownIDsAreClearErrors(store)
    }

    static func conversationsArePerUserAndPaged(_ store: any ChatStore) async throws {
        let user = "user-\(UUID().uuidString.prefix(8))"
        let base = Date(timeIntervalSince1970: 1_795_000_000)
        for index in 0..<5 {
            try await store.createConversation(
                Conversation(userID: user, sessionID: index < 3 ? "web" : "app", pinnedFacts: index == 0 ? ["order #123"] : [], createdAt: base.addingTimeInterval(Double(index))))
        }
        try await store.createConversation(Conversation(userID: "someone-else", sessionID: "web"))
        let all = try await store.conversations(userID: user, sessionID: nil, limit: 10, offset: 0)
        #expect(all.count == 5)
        #expect(all.map(\.updatedAt) == all.map(\.updatedAt).sorted(by: >))
        let web = try await store.conversations(userID: user, sessionID: "web", limit: 10, offset: 0)
        #expect(web.count == 3)
        #expect(web.allSatisfy { $0.userID == user && $0.sessionID == "web" })
        let page = try await store.conversations(userID: user, sessionID: nil, limit: 2, offset: 2)
        #expect(page.map(\.id) == Array(all[2..<4]).map(\.id))
        let first = try #require(all.last)
        #expect(first.pinnedFacts == ["order #123"])
        let fetched = try await store.conversation(id: first.id)
        #expect(fetched == first)
        try await store.updatePinnedFacts(conversationID: first.id, ["order #123", "prefers email"])
        #expect(try await store.conversation(id: first.id)?.pinnedFacts == ["order #123", "prefers email"])
    }

    static func conversationsArePerOwnerWithTheirDetails(_ store: any ChatStore) async throws {
        let owner = "owner-\(UUID().uuidString.prefix(8))"
        var inline = Agent(name: "inline", model: "mistral-small-latest", instructions: "Be brief.", temperature: 0.2)
        inline.completionArguments = CompletionArguments(topP: 0.9, stop: ["END"])
        let details = ConversationDetails(name: "Ticket", description: "A refund", metadata: ["ticket": "T-1", "priority": 2], inlineAgent: inline)
        let mine = Conversation(userID: "api", sessionID: "api", owner: owner, details: details)
        try await store.createConversation(mine)
        try await store.createConversation(Conversation(userID: "end-user", sessionID: "s", owner: owner))
        try await store.createConversation(Conversation(userID: "api", sessionID: "api", owner: owner + "-other"))
        #expect(try await store.conversation(id: mine.id) == mine)
        #expect(try await store.conversations(owner: owner, userID: nil, limit: 10, offset: 0).count == 2)
        #expect(try await store.conversations(owner: owner, userID: "end-user", limit: 10, offset: 0).map(\.userID) == ["end-user"])
        #expect(try await store.conversations(owner: owner, userID: nil, limit: 1, offset: 1).count == 1)
        // A conversation of the engine alone has no owner and empty details.
        let plain = Conversation(userID: "u", sessionID: "s")
        try await store.createConversation(plain)
        #expect(try await store.conversation(id: plain.id)?.owner == nil)
        #expect(try await store.conversation(id: plain.id)?.details == ConversationDetails())
    }

    static func agentAliasesPointAtVersions(_ store: any ChatStore) async throws {
        let name = "aliased-\(UUID().uuidString.prefix(8))"
        _ = try await store.saveAgent(Agent(name: name, instructions: "one"))
        _ = try await store.saveAgent(Agent(name: name, instructions: "two"))
        let first = try await store.setAgentAlias(name: name, alias: "production", version: 1)
        #expect(first.version == 1)
        let moved = try await store.setAgentAlias(name: name, alias: "production", version: 2)
        #expect(moved.version == 2 && moved.createdAt == first.createdAt && moved.updatedAt >= first.updatedAt)
        _ = try await store.setAgentAlias(name: name, alias: "staging", version: 1)
        #expect(try await store.agentAliases(name: name).map(\.alias) == ["production", "staging"])
        await #expect(throws: ChatEngineError.self) { try await store.setAgentAlias(name: name, alias: "x", version: 9) }
        #expect(try await store.deleteAgentAlias(name: name, alias: "staging"))
        #expect(try await !store.deleteAgentAlias(name: name, alias: "staging"))
        #expect(try await store.deleteAgent(name: name))
        #expect(try await store.agentAliases(name: name).isEmpty)
    }

    static func abandonedAnswersAreFailedByTheirLease(_ store: any ChatStore) async throws {
        let now = Date()
        var ids: [String] = []
        for lease in [TurnLease(owner: "gone", until: now.addingTimeInterval(-1)), TurnLease(owner: "alive", until: now.addingTimeInterval(60)), nil] {
            let conversation = Conversation(userID: "lease-user", sessionID: "s")
            try await store.createConversation(conversation)
            let stored = try await store.append(
                [
                    ConversationEntry(conversationID: conversation.id, kind: .input, content: "Hello"),
                    ConversationEntry(conversationID: conversation.id, kind: .output, content: "Hal", status: .pending, lease: lease),
                ], to: conversation.id)
            #expect(stored[1].lease == lease)
            ids.append(conversation.id)
        }
        #expect(try await store.entries(conversationID: ids[1])[1].lease?.owner == "alive")
        #expect(try await store.failAbandonedTurns(conversationID: ids[0], now: now) == 1)
        let failed = try await store.entries(conversationID: ids[0])[1]
        #expect(failed.status == .failed && failed.content == "Hal" && failed.error?.hasPrefix("abandoned") == true && failed.lease == nil)
        #expect(try await store.failAbandonedTurns(conversationID: ids[1], now: now) == 0)
        // (Not the sweep of every conversation: other tests share the PostgreSQL database.)
        #expect(try await store.failAbandonedTurns(conversationID: ids[2], now: now) == 1)
        #expect(try await store.entries(conversationID: ids[2])[1].status == .failed)
        #expect(try await store.entries(conversationID: ids[1])[1].status == .pending)
    }

    static func entriesAppendInOrderAtomically(_ store: any ChatStore) async throws {
        let conversation = Conversation(userID: "u", sessionID: "s")
        try await store.createConversation(conversation)
        let first = try await store.append(
            [
                ConversationEntry(conversationID: "", kind: .input, content: "Where is my order? 🚚"),
                // Pending as an answer being produced is: under a live lease (a gateway starting on the
                // same database, in a parallel test, fails lease-less pending answers as abandoned).
                ConversationEntry(
                    conversationID: "", kind: .output, content: "", status: .pending, model: "m",
                    lease: TurnLease(owner: "store-suite", until: Date().addingTimeInterval(600))),
            ], to: conversation.id)
        #expect(first.map(\.position) == [0, 1])
        #expect(first.allSatisfy { $0.conversationID == conversation.id })
        // Concurrent appends never share a position.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask {
                    _ = try await store.append([ConversationEntry(conversationID: "", kind: .input, content: "message \(index)")], to: conversation.id)
                }
            }
            try await group.waitForAll()
        }
        let entries = try await store.entries(conversationID: conversation.id)
        #expect(entries.map(\.position) == Array(0..<12))
        #expect(entries[0].content == "Where is my order? 🚚")
        #expect(entries[1].status == .pending)
        #expect(Set(entries[2...].map(\.content)) == Set((0..<10).map { "message \($0)" }))

        // A duplicate id fails the whole append: nothing of it is stored.
        let duplicate = entries[0].id
        await #expect(throws: (any Error).self) {
            _ = try await store.append(
                [ConversationEntry(conversationID: "", kind: .input, content: "kept?"), ConversationEntry(id: duplicate, conversationID: "", kind: .input, content: "clash")],
                to: conversation.id)
        }
        #expect(try await store.entries(conversationID: conversation.id).count == 12)
    }

    static func updatesFeedbackAndDeletion(_ store: any ChatStore) async throws {
        let conversation = Conversation(userID: "u2", sessionID: "s")
        try await store.createConversation(conversation)
        var output = try await store.append([ConversationEntry(conversationID: "", kind: .output, content: "", status: .pending)], to: conversation.id)[0]
        output.content = "Your order ships tomorrow."
        output.status = .complete
        output.promptTokens = 12
        output.completionTokens = 6
        output.model = "mistral-small-2603"
        output.completedAt = Date(timeIntervalSince1970: 1_795_000_100.5)
        try await store.update(output)
        try await store.setFeedback(Feedback(rating: .down, comment: "too vague", createdAt: Date(timeIntervalSince1970: 1_795_000_200)), entryID: output.id)
        let stored = try #require(try await store.entries(conversationID: conversation.id).first)
        #expect(stored.content == "Your order ships tomorrow.")
        #expect(stored.status == .complete)
        #expect((stored.promptTokens, stored.completionTokens) == (12, 6))
        #expect(stored.completedAt == Date(timeIntervalSince1970: 1_795_000_100.5))
        #expect(stored.feedback == Feedback(rating: .down, comment: "too vague", createdAt: Date(timeIntervalSince1970: 1_795_000_200)))
        #expect(try await store.deleteConversation(id: conversation.id))
        #expect(try await store.conversation(id: conversation.id) == nil)
        #expect(try await store.entries(conversationID: conversation.id).isEmpty)
        #expect(try await store.deleteConversation(id: conversation.id) == false)
    }

    static func agentsAreVersioned(_ store: any ChatStore) async throws {
        let name = "support-\(UUID().uuidString.prefix(6))"
        let first = try await store.saveAgent(Agent(name: name, instructions: "Be formal.", tone: .formal))
        let second = try await store.saveAgent(Agent(name: name, model: "mistral-large-latest", instructions: "Be brief.", tone: .custom("Pirate voice.")))
        #expect((first.version, second.version) == (1, 2))
        #expect(try await store.agent(name: name, version: nil) == second)
        #expect(try await store.agent(name: name, version: 1) == first)
        #expect(try await store.agent(name: name, version: 3) == nil)
        #expect(try await store.agents().filter { $0.name == name } == [second])
        #expect(try await store.deleteAgent(name: name))
        #expect(try await store.agent(name: name, version: nil) == nil)
    }

    static func unknownIDsAreClearErrors(_ store: any ChatStore) async throws {
        let append = await #expect(throws: ChatEngineError.self) {
            _ = try await store.append([ConversationEntry(conversationID: "", kind: .input, content: "hi")], to: "conv_missing")
        }
        #expect(append?.kind == .unknownConversation)
        let update = await #expect(throws: ChatEngineError.self) {
            try await store.update(ConversationEntry(id: "entry_missing", conversationID: "c", kind: .output, content: ""))
        }
        #expect(update?.kind == .unknownEntry)
        await #expect(throws: ChatEngineError.self) { try await store.updatePinnedFacts(conversationID: "conv_missing", []) }
        await #expect(throws: ChatEngineError.self) { try await store.setFeedback(Feedback(rating: .up), entryID: "entry_missing") }
    }
}
