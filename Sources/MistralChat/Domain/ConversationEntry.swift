import Foundation

/// One entry of a conversation: a user's message, the model's answer, a tool call or its result.
///
/// Entries are written before the work they describe finishes: an answer is first stored as
/// `pending`, then completed or marked `failed` (with the error and whatever text arrived), so
/// no turn is ever silently lost or half written.
public struct ConversationEntry: Sendable, Hashable, Codable, Identifiable {
    /// The kinds of Mistral's Conversations API.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case input = "message.input"
        case output = "message.output"
        case functionCall = "function.call"
        case functionResult = "function.result"
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Written and final.
        case complete
        /// An answer being produced.
        case pending
        /// An answer that failed or was cut; ``error`` says why and ``content`` holds what arrived.
        case failed
        /// An answer waiting for the results of functions the caller runs: the turn's function
        /// calls are stored after it, and it is produced once every call has its result.
        case waiting
    }

    public var id: String
    public var conversationID: String
    /// 0-based order within the conversation.
    public var position: Int
    public var kind: Kind
    public var content: String
    public var status: Status
    /// For function calls and results: the call id, the tool's name, the arguments as JSON.
    public var toolCallID: String?
    public var toolName: String?
    public var toolArguments: String?
    /// The model that produced an output.
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var error: String?
    public var feedback: Feedback?
    /// The knowledge-base chunks an answer was given from, numbered as the answer cites them.
    public var citations: [Citation]
    public var createdAt: Date
    public var completedAt: Date?
    /// For an answer being produced: which process produces it and until when, renewed while
    /// it works. A pending answer whose lease ran out belongs to a process that stopped; the next
    /// one to open the conversation marks it failed (``ConversationStore/failAbandonedTurns(conversationID:now:)``).
    public var lease: TurnLease?

    public init(
        id: String = ConversationEntry.newID(), conversationID: String, position: Int = 0, kind: Kind, content: String,
        status: Status = .complete, toolCallID: String? = nil, toolName: String? = nil, toolArguments: String? = nil,
        model: String? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil, error: String? = nil,
        feedback: Feedback? = nil, citations: [Citation] = [], createdAt: Date = Date(), completedAt: Date? = nil, lease: TurnLease? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.position = position
        self.kind = kind
        self.content = content
        self.status = status
        self.toolCallID = toolCallID
        self.toolName = toolName
        self.toolArguments = toolArguments
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.error = error
        self.feedback = feedback
        self.citations = citations
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.lease = lease
    }

    /// A fresh id, `entry_` and a UUID.
    public static func newID() -> String { "entry_" + UUID().uuidString.lowercased() }

    /// A tool call id for a call the model gave none: nine letters and digits, as Mistral's.
    public static func newCallID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<9).map { _ in alphabet.randomElement()! })
    }
}

/// A user's rating of an answer, for satisfaction reports.
public struct Feedback: Sendable, Hashable, Codable {
    public enum Rating: String, Sendable, Hashable, Codable { case up, down }
    public var rating: Rating
    public var comment: String?
    public var createdAt: Date

    public init(rating: Rating, comment: String? = nil, createdAt: Date = Date()) {
        self.rating = rating
        self.comment = comment
        self.createdAt = createdAt
    }
}

/// Who produces a pending answer, and until when (see ``ConversationEntry/lease``).
public struct TurnLease: Sendable, Hashable, Codable {
    /// The producing engine's ``ChatEngine/instanceID``.
    public var owner: String
    public var until: Date

    public init(owner: String, until: Date) {
        self.owner = owner
        self.until = until
    }
}
