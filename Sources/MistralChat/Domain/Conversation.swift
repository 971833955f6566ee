import Foundation
import MistralKit

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
    /// The tenant whose key started it through the service's API: no other owner can see it.
    /// `nil` for conversations of a program's own engine.
    public var owner: String?
    /// What the Conversations API carries beyond the engine's fields: a name, a description,
    /// the caller's metadata, and the model and settings of a conversation without an agent.
    public var details: ConversationDetails

    public init(
        id: String = Conversation.newID(), userID: String, sessionID: String, agentName: String? = nil, agentVersion: Int? = nil,
        restartedFrom: String? = nil, pinnedFacts: [String] = [], createdAt: Date = Date(), updatedAt: Date? = nil, owner: String? = nil,
        details: ConversationDetails = ConversationDetails()
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
        self.owner = owner
        self.details = details
    }

    /// A fresh id, `conv_` and a UUID.
    public static func newID() -> String { "conv_" + UUID().uuidString.lowercased() }
}

/// A conversation's API-facing fields (Mistral's `name`, `description`, `metadata`), and the
/// persona of a conversation started with a model instead of an agent. Stored as one JSON
/// document beside the conversation's columns.
public struct ConversationDetails: Sendable, Hashable, Codable {
    public var name: String?
    public var description: String?
    /// The caller's key-value data, returned as given and usable as a list filter.
    public var metadata: [String: JSONValue]
    /// The model, instructions, completion settings and tools a conversation without an agent
    /// is answered with (Mistral's model conversations).
    public var inlineAgent: Agent?

    public init(name: String? = nil, description: String? = nil, metadata: [String: JSONValue] = [:], inlineAgent: Agent? = nil) {
        self.name = name
        self.description = description
        self.metadata = metadata
        self.inlineAgent = inlineAgent
    }

    private enum CodingKeys: String, CodingKey { case name, description, metadata, inlineAgent = "inline_agent" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        metadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
        inlineAgent = try container.decodeIfPresent(Agent.self, forKey: .inlineAgent)
    }
}
