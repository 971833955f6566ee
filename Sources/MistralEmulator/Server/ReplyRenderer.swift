import HTTPTypes
import Hummingbird
import MistralKit
import NIOCore

/// Turns a ``Reply`` into a Hummingbird `Response` with the configured latency; its body is
/// written by the ``FaultInjector``, which applies the request's after-the-headers fault.
struct ReplyRenderer: Sendable {
    let latency: EmulatorLatency
    let faults: FaultInjector

    func response(
        for reply: Reply, fault: EmulatorFault?, channel: any Channel,
        onStreamEnd: @escaping @Sendable (_ chunksSent: Int, _ outcome: String) -> Void = { _, _ in }
    ) async throws -> Response {
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        switch reply.body {
        case .json(let bytes):
            headers[.contentType] = "application/json"
            try await latency.pause(latency.timeToFirstToken + latency.perToken * reply.completionTokens)
            return Response(status: .ok, headers: headers, body: faults.jsonBody(bytes, fault: fault, channel: channel))
        case .events(let events):
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: faults.eventBody(events, fault: fault, channel: channel, latency: latency, onEnd: onStreamEnd))
        }
    }
}
