/// A failure of the chat engine that is not the model's (those are `MistralError`s).
public struct ChatEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case unknownConversation = "unknown conversation"
        case unknownAgent = "unknown agent"
        case unknownEntry = "unknown entry"
        case emptyMessage = "empty message"
        case invalidAgent = "invalid agent"
        case nothingToRetry = "nothing to retry"
        case storage = "storage"
        case unknownKnowledgeBase = "unknown knowledge base"
        case invalidKnowledgeBase = "invalid knowledge base"
        case unreadableDocument = "unreadable document"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
