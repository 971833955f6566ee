/// A failure of the chat engine that is not the model's (those are `MistralError`s).
///
/// Tell failures apart with ``kind`` (`error.kind == .unknownAgent`); new kinds can be added
/// without breaking callers. ``description`` is the ``message``: one sentence a person can act on.
public struct ChatEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable and extensible set of kinds.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: String, Sendable {
            case unknownConversation = "unknown conversation"
            case unknownAgent = "unknown agent"
            case unknownEntry = "unknown entry"
            case emptyMessage = "empty message"
            case invalidIdentifier = "invalid identifier"
            case invalidAgent = "invalid agent"
            case nothingToRetry = "nothing to retry"
            case storage = "storage"
            case unknownKnowledgeBase = "unknown knowledge base"
            case invalidKnowledgeBase = "invalid knowledge base"
            case unreadableDocument = "unreadable document"
            case invalidPage = "invalid page"
            case invalidFunctionResults = "invalid function results"
        }
        fileprivate let code: Code

        /// No conversation has the id given; nothing was stored.
        public static let unknownConversation = Kind(code: .unknownConversation)
        /// No agent (or no such version of it) has the name given; nothing was stored.
        public static let unknownAgent = Kind(code: .unknownAgent)
        /// The conversation has no entry with the id given.
        public static let unknownEntry = Kind(code: .unknownEntry)
        /// The message is empty or only whitespace; nothing was stored or sent.
        public static let emptyMessage = Kind(code: .emptyMessage)
        /// A user or session id is empty or longer than 200 characters; nothing was stored.
        public static let invalidIdentifier = Kind(code: .invalidIdentifier)
        /// The agent names a tool this engine does not have or a knowledge base that does not
        /// exist; the turn was refused before anything was stored.
        public static let invalidAgent = Kind(code: .invalidAgent)
        /// The last answer of the conversation did not fail, so there is no turn to run again.
        public static let nothingToRetry = Kind(code: .nothingToRetry)
        /// The database failed or holds data this version cannot read; the message names it.
        public static let storage = Kind(code: .storage)
        /// No knowledge base has the name given; nothing was stored.
        public static let unknownKnowledgeBase = Kind(code: .unknownKnowledgeBase)
        /// A knowledge base name is malformed or already taken.
        public static let invalidKnowledgeBase = Kind(code: .invalidKnowledgeBase)
        /// A document cannot be read (missing, too large, binary, or without text); nothing was stored.
        public static let unreadableDocument = Kind(code: .unreadableDocument)
        /// A page of a listing was asked for with a size outside 1 to 1,000 or a negative offset.
        public static let invalidPage = Kind(code: .invalidPage)
        /// Function results given when no answer waits for them, or not one for each waiting
        /// call (an unknown call id, a call left out); nothing was stored.
        public static let invalidFunctionResults = Kind(code: .invalidFunctionResults)

        /// The kind in words, e.g. `unknown agent`.
        public var description: String { code.rawValue }
    }

    /// What went wrong; compare it with `==` to one of the ``Kind`` constants.
    public var kind: Kind
    /// A readable sentence saying what went wrong and what to do about it.
    public var message: String

    /// An error of `kind` explained by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The ``message``, as the CLI and the gateway show it.
    public var description: String { message }
}
