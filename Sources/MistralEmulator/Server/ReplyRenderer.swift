import HTTPTypes
import Hummingbird
import MistralKit
import NIOCore

/// Turns a ``Reply`` into a Hummingbird `Response`, adding the configured latency and the
/// request's after-the-headers fault (reset, cut or stalled stream, malformed JSON).
struct ReplyRenderer: Sendable {
    let latency: EmulatorLatency
    let maximumHang: Duration

    func response(for reply: Reply, fault: EmulatorFault?, channel: any Channel) async throws -> Response {
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        switch reply.body {
        case .json(let bytes):
            headers[.contentType] = "application/json"
            try await Self.pause(latency.timeToFirstToken + latency.perToken * reply.completionTokens)
            return Response(status: .ok, headers: headers, body: jsonBody(bytes, fault: fault?.action, channel: channel))
        case .events(let events):
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: eventBody(events, fault: fault?.action, channel: channel))
        }
    }

    private func jsonBody(_ bytes: [UInt8], fault: EmulatorFault.Action?, channel: any Channel) -> ResponseBody {
        let half = ByteBuffer(bytes: bytes.prefix(max(1, bytes.count / 2)))
        let maximumHang = maximumHang
        switch fault {
        case .malformedJSON?:
            return ResponseBody(byteBuffer: half)
        case .resetAfterHeaders?, .cutStream?:
            return ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(half)
                throw InjectedConnectionReset()
            }
        case .stallStream?:
            return ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(half)
                await ConnectionHang.wait(on: channel, upTo: maximumHang)
                throw InjectedConnectionReset()
            }
        default:
            return ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        }
    }

    /// `data: <json>\n\n` per event, then `data: [DONE]\n\n`, paced by the latency settings.
    private func eventBody(_ events: [String], fault: EmulatorFault.Action?, channel: any Channel) -> ResponseBody {
        let latency = latency
        let maximumHang = maximumHang
        return ResponseBody { writer in
            for (position, event) in events.enumerated() {
                try await Self.pause(position == 0 ? latency.timeToFirstToken : latency.perToken)
                switch fault {
                case .cutStream(let count)? where position == count:
                    try await writer.finish(nil)
                    return
                case .stallStream(let count)? where position == count:
                    await ConnectionHang.wait(on: channel, upTo: maximumHang)
                    throw InjectedConnectionReset()
                case .resetAfterHeaders? where position == 1:
                    throw InjectedConnectionReset()
                case .malformedJSON? where position == 1:
                    try await writer.write(ByteBuffer(string: "data: \(event.prefix(event.count / 2))\n\n"))
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                    return
                default:
                    try await writer.write(ByteBuffer(string: "data: \(event)\n\n"))
                }
            }
            if case .cutStream? = fault {
                // Asked to cut after at least as many chunks as there are: drop only [DONE].
                try await writer.finish(nil)
                return
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
    }

    /// Sleeps for `duration` unless it is zero, so an emulator without latency never yields.
    private static func pause(_ duration: Duration) async throws {
        if duration > .zero { try await Task.sleep(for: duration) }
    }
}
