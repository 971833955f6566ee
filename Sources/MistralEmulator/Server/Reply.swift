import MistralKit

/// A successful answer before latency and faults are applied: a JSON body or a list of
/// server-sent events.
struct Reply: Sendable {
    enum Body: Sendable {
        /// A JSON document.
        case json([UInt8])
        /// The `data:` payloads of an event stream, without the final `[DONE]`.
        case events([String])
    }

    var body: Body
    /// Extra response headers (e.g. `x-ratelimit-tokens-query-cost`).
    var headers: [(String, String)] = []
    /// Completion tokens, which set a JSON answer's latency.
    var completionTokens = 0

    /// A JSON answer encoding `value` with MistralKit's encoder.
    /// Throws when `value` cannot be encoded (a programming error, answered 500).
    static func json(_ value: some Encodable, completionTokens: Int = 0) throws -> Reply {
        Reply(body: .json(Array(try JSONCoding.encode(value))), completionTokens: completionTokens)
    }

    /// A stream of `chunks`, one event each.
    static func events(_ chunks: [ChatCompletionChunk]) throws -> Reply {
        Reply(body: .events(try chunks.map { String(decoding: try JSONCoding.encode($0), as: UTF8.self) }))
    }
}
