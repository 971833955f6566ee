import NIOCore

/// What one request did, in nanoseconds on the monotonic clock, relative to the run's start.
struct ExchangeRecord: Sendable {
    /// When the schedule said the request should start.
    var scheduled: Int64
    /// When the generator actually handed it to the HTTP client.
    var started: Int64
    /// When the response head arrived, if it did.
    var head: Int64?
    /// When the first SSE `data:` line arrived (streams only).
    var firstEvent: Int64?
    /// When the response ended (the whole body read) or the request failed.
    var ended: Int64
    /// The response status, `nil` when no response came.
    var status: Int?
    /// Why no complete response came: a connection error, a timeout.
    var failure: String?
    var bodyBytes: Int

    /// How late the generator started the request.
    var lateness: Int64 { started - scheduled }
    var succeeded: Bool { failure == nil && (200..<300).contains(status ?? 0) }
}
