/// An upstream's answer to a relayed call, as bytes to pass on.
///
/// From a Mistral upstream, ``body`` is exactly the body it sent; from an OpenAI-compatible
/// fallback provider, its answer mapped to Mistral's shape. Usage has been recorded by the
/// time the caller gets it.
public struct RelayedResponse: Sendable {
    /// The response body (JSON).
    public var body: [UInt8]
    /// The upstream's request id (`mistral-correlation-id` or `x-request-id`).
    public var upstreamRequestID: String?
    /// Which route answered, when the client has fallbacks.
    public var answeredBy: AnsweredBy?
    /// The usage the upstream reported, when it did.
    public var usage: UsageInfo?
}
