import Foundation

/// Where conversations and their entries live. `MistralStore` implements it for SQLite and
/// PostgreSQL with one behaviour (one shared test suite runs against both).
///
/// Every method is atomic: a failure leaves stored data as it was.
public protocol ConversationStore: Sendable {
    /// Stores a new conversation.
    func createConversation(_ conversation: Conversation) async throws
    /// The conversation with `id`, or `nil`.
    func conversation(id: String) async throws -> Conversation?
    /// A user's conversations, newest activity first, optionally of one session, paged.
    func conversations(userID: String, sessionID: String?, limit: Int, offset: Int) async throws -> [Conversation]
    /// An owner's conversations (only one user's when `userID` is given), newest activity
    /// first, paged.
    func conversations(owner: String, userID: String?, limit: Int, offset: Int) async throws -> [Conversation]
    /// Saves a conversation's pinned facts (and bumps its activity time).
    func updatePinnedFacts(conversationID: String, _ facts: [String]) async throws
    /// Deletes a conversation and its entries; false when there was none.
    func deleteConversation(id: String) async throws -> Bool
    /// A conversation's entries in order.
    func entries(conversationID: String) async throws -> [ConversationEntry]
    /// Appends `entries` after the conversation's last one, in one transaction, and returns
    /// them with their positions. Throws when the conversation does not exist.
    func append(_ entries: [ConversationEntry], to conversationID: String) async throws -> [ConversationEntry]
    /// Replaces a stored entry's content, status, usage, error and completion time.
    func update(_ entry: ConversationEntry) async throws
    /// Records feedback on an entry.
    func setFeedback(_ feedback: Feedback, entryID: String) async throws
    /// Marks failed the pending answers whose lease ended before `now` (or that have none): their
    /// process stopped. Only `conversationID`'s when given, else every conversation's. Keeps what
    /// they had received; returns how many.
    func failAbandonedTurns(conversationID: String?, now: Date) async throws -> Int
}

/// Where personas live, versioned.
public protocol AgentStore: Sendable {
    /// Saves `agent` as the next version of its name and returns it with that version.
    func saveAgent(_ agent: Agent) async throws -> Agent
    /// The agent `name` at `version`, or its latest version; `nil` when unknown.
    func agent(name: String, version: Int?) async throws -> Agent?
    /// The latest version of every agent, by name.
    func agents() async throws -> [Agent]
    /// Deletes every version of `name` (and its aliases); false when there was none.
    func deleteAgent(name: String) async throws -> Bool
    /// Points `alias` of agent `name` at `version` (creating or moving it) and returns it.
    /// Throws when the agent has no such version.
    func setAgentAlias(name: String, alias: String, version: Int) async throws -> AgentAlias
    /// The aliases of agent `name`, by alias.
    func agentAliases(name: String) async throws -> [AgentAlias]
    /// Removes `alias` of agent `name`; false when there was none.
    func deleteAgentAlias(name: String, alias: String) async throws -> Bool
}

/// A name for one version of an agent (`production`, `staging`), moved to another version
/// without changing the agent; `ConversationService.activeAlias` marks the version used when
/// none is asked for.
public struct AgentAlias: Sendable, Hashable, Codable {
    public var alias: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(alias: String, version: Int, createdAt: Date, updatedAt: Date) {
        self.alias = alias
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// All the stores in one, as `MistralStore` provides them.
public typealias ChatStore = ConversationStore & AgentStore & KnowledgeStore
