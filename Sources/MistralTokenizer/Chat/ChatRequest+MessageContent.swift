extension ChatRequest {
    /// A message's content: one string, or a list of chunks.
    ///
    /// The two are rendered differently, as in mistral-common: chunks of one message are joined with
    /// a blank line (before v15; directly from v15), and a list holding a thinking chunk keeps its
    /// chunks apart. Write string literals for the plain case.
    public enum MessageContent: Sendable, Hashable, ExpressibleByStringLiteral {
        /// A single string.
        case text(String)
        /// A list of chunks.
        case chunks([ContentChunk])

        /// Content written as a string literal: ``text(_:)``.
        public init(stringLiteral value: String) {
            self = .text(value)
        }

        /// Whether Python would consider the content empty (`""` or `[]`).
        var isEmpty: Bool {
            switch self {
            case .text(let text): return text.isEmpty
            case .chunks(let chunks): return chunks.isEmpty
            }
        }
    }
}
