/// Conversation management, answered by ``ChatEngine/conversations`` over the engine's store.
extension ChatEngine {
    /// The conversation a message from `userID` in `sessionID` continues; see
    /// ``ConversationService/conversation(userID:sessionID:agentName:)``.
    ///
    /// - Throws: ``ChatEngineError`` `.invalidIdentifier` or `.unknownAgent` before anything is stored.
    public func conversation(userID: String, sessionID: String, agentName: String? = nil) async throws -> Conversation {
        try await conversations.conversation(userID: userID, sessionID: sessionID, agentName: agentName)
    }

    /// A new conversation holding `conversationID`'s entries up to and including `entryID`; see
    /// ``ConversationService/restart(conversationID:fromEntryID:)``.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` or `.unknownEntry` before anything is stored.
    public func restart(conversationID: String, fromEntryID entryID: String) async throws -> Conversation {
        try await conversations.restart(conversationID: conversationID, fromEntryID: entryID)
    }

    /// A conversation's entries: messages, tool calls and results, in order.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func history(conversationID: String) async throws -> [ConversationEntry] {
        try await conversations.history(conversationID: conversationID)
    }

    /// A conversation's messages only; see ``ConversationService/messages(conversationID:)``.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func messages(conversationID: String) async throws -> [ConversationEntry] {
        try await conversations.messages(conversationID: conversationID)
    }

    /// Deletes a conversation and its entries.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func deleteConversation(id: String) async throws {
        try await conversations.deleteConversation(id: id)
    }

    /// Replaces a conversation's pinned facts: kept in every prompt whatever the budget drops.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownConversation` when there is none.
    public func pin(_ facts: [String], conversationID: String) async throws {
        try await conversations.pin(facts, conversationID: conversationID)
    }

    /// Records a user's rating of an answer.
    ///
    /// - Throws: the store's error when there is no such entry.
    public func feedback(_ feedback: Feedback, entryID: String) async throws {
        try await conversations.feedback(feedback, entryID: entryID)
    }
}
