import Foundation

/// A durable multi-turn conversation of one user in one session, like Mistral's Conversations
/// API but stored in your own database.
public struct Conversation: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    /// Whose conversation it is: no other user ever sees its entries.
    public var userID: String
    /// The user's session (a chat window, a support ticket, ...).
    public var sessionID: String
    /// The persona answering, and which version of it.
    public var agentName: String?
    public var agentVersion: Int?
    /// When this conversation was restarted from another one's entry: that entry.
    public var restartedFrom: String?
    /// Facts kept in every prompt whatever the context budget drops (e.g. the order number).
    public var pinnedFacts: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Conversation.newID(), userID: String, sessionID: String, agentName: String? = nil, agentVersion: Int? = nil,
        restartedFrom: String? = nil, pinnedFacts: [String] = [], createdAt: Date = Date(), updatedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.agentName = agentName
        self.agentVersion = agentVersion
        self.restartedFrom = restartedFrom
        self.pinnedFacts = pinnedFacts
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// A fresh id, `conv_` and a UUID.
    public static func newID() -> String { "conv_" + UUID().uuidString.lowercased() }
}
