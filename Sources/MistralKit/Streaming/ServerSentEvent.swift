/// One event of a `text/event-stream` body.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; `nil` for the default `message` type (chat completions send none).
    public var event: String?
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The `id:` field, if any.
    public var id: String?
    /// The `retry:` field in milliseconds, if any.
    public var retry: Int?

    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
