extension ChatRequest {
    /// One part of a message's content.
    public enum ContentChunk: Sendable, Hashable {
        /// Plain text.
        case text(String)
        /// The model's reasoning; v13 and later render it between `[THINK]` and `[/THINK]` (the
        /// closing token only when `closed`, so an unfinished thought can be continued).
        case thinking(String, closed: Bool = true)
    }
}
