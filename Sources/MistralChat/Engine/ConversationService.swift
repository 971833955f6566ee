import Foundation

/// Conversations and their entries: finding the one a session continues, reading, branching,
/// pinning facts, rating and deleting, over a store alone.
///
/// ``ChatEngine`` answers turns with it; programs that only read or manage stored
/// conversations (the `mistral conversations` command) use it without a model client. Every
/// method throws ``ChatEngineError`` (`.unknownConversation`, `.unknownAgent`, ...) before it
/// changes anything, or the store's own error.
public struct ConversationService: Sendable {
    /// Where the conversations and the agents that answer them live.
    public let store: any ConversationStore & AgentStore

    /// Conversations kept in `store`.
    public init(store: any ConversationStore & AgentStore) {
        self.store = store
    }

    /// The conversation a message from `userID` in `sessionID` continues: the session's latest
    /// one with the same agent, or a new one.
    ///
    /// - Throws: ``ChatEngineError`` `.invalidIdentifier` or `.unknownAgent` before anything is stored.
    public func conversation(userID: String, sessionID: String, agentName: String? = nil) async throws -> Conversation {
        try await continuing(userID: userID, sessionID: sessionID, agentName: agentName).conversation
    }

    /// A page of `userID`'s conversations, latest activity first, only those of `sessionID` when
    /// it is given: `limit` of them (1 to 1,000) after skipping `offset`.
    ///
    /// - Throws: ``ChatEngineError`` `.invalidIdentifier` for a bad user or session id,
    ///   `.invalidPage` for a limit or offset out of range.
    public func list(userID: String, sessionID: String? = nil, limit: Int = 20, offset: Int = 0) async throws -> [Conversation] {
        try TurnValidation.checkIdentifier(userID, "user id")
        if let sessionID { try TurnValidation.checkIdentifier(sessionID, "session id") }
        try Self.checkPage(limit: limit, offset: offset)
        return try await store.conversations(userID: userID, sessionID: sessionID, limit: limit, offset: offset)
    }

    /// A page of `owner`'s conversations (only `userID`'s when given), latest activity first.
    ///
    /// - Throws: ``ChatEngineError`` `.invalidIdentifier` for a bad user id, `.invalidPage` for
    ///   a limit or offset out of range.
    public func list(owner: String, userID: String? = nil, limit: Int = 20, offset: Int = 0) async throws -> [Conversation] {
        if let userID { try TurnValidation.checkIdentifier(userID, "user id") }
        try Self.checkPage(limit: limit, offset: offset)
        return try await store.conversations(owner: owner, userID: userID, limit: limit, offset: offset)
    }

    private static func checkPage(limit: Int, offset: Int) throws {
        guard (1...maximumPageSize).contains(limit), offset >= 0 else {
            throw ChatEngineError(
                .invalidPage, "A page holds 1 to \(maximumPageSize) conversations from an offset of 0 or more, not \(limit) from \(offset).")
        }
    }

    /// `conversation`, checked before it is stored: its user and session ids, and its agent
    /// (by name, at its version or the latest, which it then names).
    ///
    /// - Throws: ``ChatEngineError`` `.invalidIdentifier` or `.unknownAgent`.
    func validated(_ conversation: Conversation) async throws -> Conversation {
        try TurnValidation.checkIdentifier(conversation.userID, "user id")
        try TurnValidation.checkIdentifier(conversation.sessionID, "session id")
        var checked = conversation
        if let agent = try await agent(named: conversation.agentName, version: conversation.agentVersion) {
            checked.agentVersion = agent.version
        }
        return checked
    }

    /// The most conversations ``list(userID:sessionID:limit:offset:)`` returns at once.
    public static let maximumPageSize = 1000

    /// Like ``conversation(userID:sessionID:agentName:)``, with the agent that answers the
    /// conversation (the version it started with; `nil` when it names none), looked up once.
    func continuing(userID: String, sessionID: String, agentName: String?) async throws -> (conversation: Conversation, agent: Agent?) {
        try TurnValidation.checkIdentifier(userID, "user id")
        try TurnValidation.checkIdentifier(sessionID, "session id")
        if let latest = try await store.conversations(userID: userID, sessionID: sessionID, limit: 1, offset: 0).first,
            latest.agentName == agentName
        {
            return (latest, try await agent(named: agentName, version: latest.agentVersion))
        }
        let agent = try await agent(named: agentName, version: nil)
        let conversation = Conversation(userID: userID, sessionID: sessionID, agentName: agentName, agentVersion: agent?.version)
        try await store.createConversation(conversation)
        return (conversation, agent)
    }

    /// The agent `name` at `version` (its latest when `nil`); `nil` when no agent is named.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownAgent` when there is no such agent or version.
    func agent(named name: String?, version: Int?) async throws -> Agent? {
        guard let name else { return nil }
        var version = version
        if version == nil { version = try await activeVersion(of: name) }
        guard let agent = try await store.agent(name: name, version: version) else {
            throw ChatEngineError(
                .unknownAgent, version.map { "There is no version \($0) of agent '\(name)'." } ?? "There is no agent '\(name)'.")
        }
        return agent
    }

    /// The alias that marks an agent's active version (the one used when none is asked for);
    /// without it, the latest version is active. Not a name callers can give an alias.
    public static let activeAlias = "~active"

    /// The version of agent `name` used when none is asked for: the one ``activeAlias`` points
    /// at, else `nil` (the latest).
    public func activeVersion(of name: String) async throws -> Int? {
        try await store.agentAliases(name: name).first { $0.alias == Self.activeAlias }?.version
    }

    /// The conversation `id`.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func conversation(id: String) async throws -> Conversation {
        guard let conversation = try await store.conversation(id: id) else {
            throw ChatEngineError(.unknownConversation, "There is no conversation \(id).")
        }
        return conversation
    }

    /// A conversation's entries: messages, tool calls and results, in order.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func history(conversationID: String) async throws -> [ConversationEntry] {
        _ = try await conversation(id: conversationID)
        // Answers whose process stopped show as failed (and can be run again).
        _ = try await store.failAbandonedTurns(conversationID: conversationID, now: Date())
        return try await store.entries(conversationID: conversationID)
    }

    /// A conversation's messages only (the user's and the answers that completed), like
    /// Mistral's `GET /v1/conversations/{id}/messages`.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func messages(conversationID: String) async throws -> [ConversationEntry] {
        try await history(conversationID: conversationID).filter {
            $0.kind == .input || ($0.kind == .output && $0.status == .complete)
        }
    }

    /// A new conversation holding `conversationID`'s entries up to and including `entryID`
    /// (the original is left as it is), like Mistral's conversation restart.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` or `.unknownEntry` before anything is stored.
    public func restart(conversationID: String, fromEntryID entryID: String) async throws -> Conversation {
        let original = try await conversation(id: conversationID)
        let entries = try await store.entries(conversationID: conversationID)
        guard let cut = entries.firstIndex(where: { $0.id == entryID }) else {
            throw ChatEngineError(.unknownEntry, "Conversation \(conversationID) has no entry \(entryID).")
        }
        var branch = Conversation(
            userID: original.userID, sessionID: original.sessionID, agentName: original.agentName, agentVersion: original.agentVersion,
            restartedFrom: entryID, pinnedFacts: original.pinnedFacts, owner: original.owner, details: original.details)
        branch.updatedAt = Date()
        try await store.createConversation(branch)
        let copies = entries[...cut].map { entry in
            var copy = entry
            copy.id = ConversationEntry.newID()
            copy.conversationID = branch.id
            return copy
        }
        _ = try await store.append(Array(copies), to: branch.id)
        return branch
    }

    /// Replaces a conversation's pinned facts: kept in every prompt whatever the budget drops.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func pin(_ facts: [String], conversationID: String) async throws {
        _ = try await conversation(id: conversationID)
        try await store.updatePinnedFacts(conversationID: conversationID, facts)
    }

    /// Records a user's rating of an answer.
    ///
    /// - Throws: the store's error (`.unknownEntry` from `MistralStore`) when there is no such entry.
    public func feedback(_ feedback: Feedback, entryID: String) async throws {
        try await store.setFeedback(feedback, entryID: entryID)
    }

    /// Deletes a conversation and its entries.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func deleteConversation(id: String) async throws {
        guard try await store.deleteConversation(id: id) else {
            throw ChatEngineError(.unknownConversation, "There is no conversation \(id).")
        }
    }
}
