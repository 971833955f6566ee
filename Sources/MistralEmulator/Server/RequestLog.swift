import Synchronization

/// Every request an emulator received, in arrival order, safe to read from any task.
///
/// Requests are recorded when they arrive, before faults, authentication or validation, so a
/// request that was refused or never answered is still listed.
public final class RequestLog: Sendable {
    private let entries: Mutex<[RecordedRequest]>
    private let ends = Mutex<[StreamEnd]>([])

    /// How a streamed answer ended, by the request's correlation id.
    public struct StreamEnd: Sendable, Hashable {
        public var correlationID: String
        /// Chunks written before it ended (`[DONE]` not counted).
        public var chunksSent: Int
        /// `completed`, `client gone` (a write failed: the client disconnected or cancelled),
        /// or the fault that ended it (`cut`, `stalled`, `reset`, `malformed`).
        public var outcome: String
    }

    /// An empty log.
    public init() { entries = Mutex([]) }

    /// The streams that ended so far, in the order they ended.
    public var streamEnds: [StreamEnd] { ends.withLock { $0 } }

    func recordStreamEnd(_ end: StreamEnd) { ends.withLock { $0.append(end) } }

    /// A snapshot of the requests so far.
    public var requests: [RecordedRequest] { entries.withLock { $0 } }

    /// How many requests arrived so far.
    public var count: Int { entries.withLock { $0.count } }

    /// The most recent request, if any.
    public var last: RecordedRequest? { entries.withLock { $0.last } }

    /// The requests whose path (without query) is `path`.
    public func requests(path: String) -> [RecordedRequest] {
        entries.withLock { entries in entries.filter { $0.path.split(separator: "?").first.map(String.init) == path } }
    }

    /// Forgets every recorded request.
    public func removeAll() { entries.withLock { $0.removeAll() } }

    func append(_ request: RecordedRequest) { entries.withLock { $0.append(request) } }
}
