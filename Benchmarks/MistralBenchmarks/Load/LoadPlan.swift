import Foundation
import MistralKit
import NIOCore

/// What one load run sends: the endpoint, the request body (built once, sent as the same bytes
/// every time) and the schedule.
struct LoadPlan: Sendable {
    /// How requests are started.
    enum Schedule: Sendable, Equatable {
        /// Open loop: one request every 1/`perSecond` s from the start, whether or not earlier
        /// ones have answered, for `warmup` then `duration` seconds (only the second part counts).
        case openLoop(perSecond: Double)
        /// Closed loop: `count` streams kept open at once (a finished one is replaced at once)
        /// after a ramp that opens `rampPerSecond` of them per second.
        case concurrentStreams(count: Int, rampPerSecond: Double)
    }

    var url: String
    var apiKey: String
    var schedule: Schedule
    var warmup: Duration
    var duration: Duration
    var streaming: Bool
    var model: String
    var maxTokens: Int
    var prompt: String
    /// How long one request may take, counted from its scheduled start, before it fails as a timeout.
    var timeout: Duration
    /// HTTP/1 connections the client may open to the target.
    var connections: Int
    /// Event-loop threads of the client (the generator's own CPU).
    var threads: Int
    /// The p99 start lateness above which the run is reported as invalid (the generator fell behind).
    var maximumLateness: Duration

    /// The chat completion request's JSON, encoded the way MistralKit's client encodes it.
    func body() throws -> ByteBuffer {
        var request = ChatCompletionRequest(model: model, messages: [.user(prompt)], maxTokens: maxTokens)
        request.stream = streaming
        return ByteBuffer(bytes: try JSONCoding.encode(request))
    }

    /// The chat completions endpoint under `url`, which may or may not end in `/v1`.
    var endpoint: String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/v1") ? base + "/chat/completions" : base + "/v1/chat/completions"
    }
}
