import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The one place the emulator decides and applies faults.
///
/// ``choose(headers:)`` picks a request's fault (the `x-emulator-fault` header wins over the
/// schedule); ``applyBeforeHeaders(_:channel:correlationID:)`` applies what happens before a
/// route runs (delay, status, reset, hang); ``jsonBody(_:fault:channel:)`` and
/// ``eventBody(_:fault:channel:latency:)`` write a successful answer with what happens after the
/// headers (reset, cut or stalled stream, malformed JSON).
struct FaultInjector: Sendable {
    let schedule: FaultSchedule
    let maximumHang: Duration
    let logger: Logger

    /// The fault for a request with these headers: its header's, else the schedule's next, else
    /// `nil`. A header that does not parse leaves the schedule's fault and is described in
    /// `invalidHeader` (the request is then answered with 400).
    func choose(headers: HTTPFields) -> (fault: EmulatorFault?, invalidHeader: String?) {
        let scheduled = schedule.next()
        guard let header = headers[Self.headerName] else { return (scheduled, nil) }
        do {
            return (try EmulatorFault(headerValue: header), nil)
        } catch {
            return (scheduled, "\(error)")
        }
    }

    /// Delays, status answers, resets and hangs: everything that happens before a route runs.
    func applyBeforeHeaders(_ fault: EmulatorFault?, channel: any Channel, correlationID: String) async throws {
        guard let fault, fault != .noFault else { return }
        logger.info("injecting fault", metadata: ["fault": "\(fault)", "request-id": "\(correlationID)"])
        if let delay = fault.delay { try await Task.sleep(for: delay) }
        switch fault.action {
        case .status(let status, let retryAfter):
            throw APIFailure.injected(status: status, retryAfterSeconds: retryAfter)
        case .resetBeforeHeaders:
            channel.close(mode: .all, promise: nil)
            throw InjectedConnectionReset()
        case .hang:
            await ConnectionHang.wait(on: channel, upTo: maximumHang)
            channel.close(mode: .all, promise: nil)
            throw InjectedConnectionReset()
        default:
            return
        }
    }

    /// A JSON answer's body, with the request's after-the-headers fault.
    func jsonBody(_ bytes: [UInt8], fault: EmulatorFault?, channel: any Channel) -> ResponseBody {
        let half = ByteBuffer(bytes: bytes.prefix(max(1, bytes.count / 2)))
        let maximumHang = maximumHang
        switch fault?.action {
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

    /// `data: <json>\n\n` per event, then `data: [DONE]\n\n`, paced by `latency`, with the
    /// request's after-the-headers fault.
    func eventBody(
        _ events: [String], fault: EmulatorFault?, channel: any Channel, latency: EmulatorLatency,
        onEnd: @escaping @Sendable (_ chunksSent: Int, _ outcome: String) -> Void = { _, _ in }
    ) -> ResponseBody {
        let maximumHang = maximumHang
        let action = fault?.action
        return ResponseBody { writer in
            var sent = 0
            do {
                for (position, event) in events.enumerated() {
                    try await latency.pause(position == 0 ? latency.timeToFirstToken : latency.perToken)
                    switch action {
                    case .cutStream(let count)? where position == count:
                        onEnd(sent, "cut")
                        try await writer.finish(nil)
                        return
                    case .stallStream(let count)? where position == count:
                        await ConnectionHang.wait(on: channel, upTo: maximumHang)
                        onEnd(sent, "stalled")
                        throw InjectedConnectionReset()
                    case .resetAfterHeaders? where position == 1:
                        onEnd(sent, "reset")
                        throw InjectedConnectionReset()
                    case .malformedJSON? where position == 1:
                        try await writer.write(ByteBuffer(string: "data: \(event.prefix(event.count / 2))\n\n"))
                        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                        onEnd(sent, "malformed")
                        try await writer.finish(nil)
                        return
                    default:
                        try await writer.write(ByteBuffer(string: "data: \(event)\n\n"))
                        sent += 1
                    }
                }
                if case .cutStream? = action {
                    // Asked to cut after at least as many chunks as there are: drop only [DONE].
                    onEnd(sent, "cut")
                    try await writer.finish(nil)
                    return
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                onEnd(sent, "completed")
                try await writer.finish(nil)
            } catch let error as InjectedConnectionReset {
                throw error
            } catch {
                // A write failed or the pause was cancelled: the client went away.
                onEnd(sent, "client gone")
                throw error
            }
        }
    }

    private static let headerName = HTTPField.Name(EmulatorFault.headerName)!
}
