import Logging
import NIOCore

/// A streamed completion relayed event by event: each read of the upstream's body becomes one
/// buffer of `data: …\n\n` events to pass on, as soon as it arrives, with every chunk's data
/// exactly as the upstream sent it.
///
/// The stream is checked and accounted as ``ChatCompletionStream`` is, so a relay can never
/// pass a cut answer off as whole: `data: [DONE]` is passed on only when every choice has a
/// finish reason. Everything else ends the iteration with a ``MistralError`` (`.truncatedStream`,
/// `.streamError`, `.undecodableResponse`, `.timeout`, `.cancelled`) after the events before it
/// were delivered; the relay then tells its own client (an error event, never `[DONE]`).
/// Usage is recorded when the stream ends however it ends: from the final usage chunk when it
/// came, else counted from what was received. A relay whose own client went away calls
/// ``Iterator/abandon()``: cancelling the task that iterates also cancels the upstream request.
public struct RelayedStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let body: ResponseBody
    let tracker: CallTracker
    let logger: Logger
    /// The upstream's request id.
    public let upstreamRequestID: String?
    /// Which route answered, when the client has fallbacks.
    public let answeredBy: AnsweredBy?

    init(body: ResponseBody, tracker: CallTracker, logger: Logger, upstreamRequestID: String?, answeredBy: AnsweredBy?) {
        self.body = body
        self.tracker = tracker
        self.logger = logger
        self.upstreamRequestID = upstreamRequestID
        self.answeredBy = answeredBy
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator(), tracker: tracker, requestID: upstreamRequestID)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var body: ResponseBody.AsyncIterator
        let tracker: CallTracker
        let requestID: String?
        var parser = ServerSentEventParser()
        var events = RelayedEvents()
        var ended = false

        init(body: ResponseBody.AsyncIterator, tracker: CallTracker, requestID: String?) {
            self.body = body
            self.tracker = tracker
            self.requestID = requestID
        }

        /// Everything relayed so far, folded: the text, the tool calls, the usage if it came.
        public var received: ChatCompletionResponse { events.accumulator.response }

        /// The next events to pass on; `nil` after `data: [DONE]` was delivered.
        /// - Throws: ``MistralError`` once the events before the failure were delivered.
        public mutating func next() async throws -> ByteBuffer? {
            // Only the read from the upstream awaits; everything else is in synchronous steps
            // kept out of line, so this function's async frame (allocated for every call, and
            // held while the upstream is slow to send) stays small.
            while true {
                switch try nextStep() {
                case .deliver(let buffer): return buffer
                case .end: return nil
                case .read: break
                }
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    throw cut(by: error)
                }
                try receive(buffer)
            }
        }

        private enum Step {
            case deliver(ByteBuffer)
            case end
            case read
        }

        /// What to do next without reading: hand out framed events, end, or read more.
        @inline(never)
        private mutating func nextStep() throws -> Step {
            if !events.output.isEmpty {
                let buffer = ByteBuffer(bytes: events.output)
                events.output.removeAll(keepingCapacity: true)
                if events.newChunks > 0 {
                    tracker.sawChunks(events.newChunks)
                    events.newChunks = 0
                }
                return .deliver(buffer)
            }
            if ended { return .end }
            if let failure = events.failure { throw end(failure) }
            if events.done {
                ended = true
                let response = events.accumulator.response
                tracker.finish(usage: response.usage, responseModel: response.model, error: nil)
                return .end
            }
            return .read
        }

        /// Takes one read of the upstream's body (`nil`: it ended) into the parser.
        @inline(never)
        private mutating func receive(_ buffer: ByteBuffer?) throws {
            if Task.isCancelled {
                throw end(
                    MistralError(
                        kind: .cancelled, message: "The relayed stream was cancelled after \(events.accumulator.chunkCount) chunks.",
                        requestID: requestID, partial: received))
            }
            guard let buffer else {
                let cutInsideEvent = parser.finish()
                events.endOfBody(cutInsideEvent: cutInsideEvent, requestID: requestID)
                return
            }
            events.requestID = requestID
            parser.feed(buffer.readableBytesView, to: &events)
        }

        @inline(never)
        private mutating func cut(by error: any Error) -> MistralError {
            end(StreamFailure.cut(by: error, chunks: events.accumulator.chunkCount, requestID: requestID, partial: received))
        }

        /// Ends the relay because its own client went away: the upstream request is dropped and
        /// what was relayed is recorded (`cancelled`, the usage counted from the text received).
        public mutating func abandon() {
            guard !ended else { return }
            _ = end(
                MistralError(
                    kind: .cancelled, message: "The relay's client went away after \(events.accumulator.chunkCount) chunks.",
                    requestID: requestID, partial: received))
        }

        private mutating func end(_ error: MistralError) -> MistralError {
            ended = true
            let partial = error.partial ?? received
            tracker.finish(usage: partial.usage, responseModel: partial.model, error: error, partialText: partial.text)
            return error
        }
    }
}

/// What the relay does with each event the parser completes: a chunk is folded into the
/// accumulator and its data framed for output unchanged; `[DONE]` is passed on only when the
/// answer is whole; anything else records the failure, and later events are ignored.
struct RelayedEvents: ServerSentEventSink {
    var accumulator = ChatCompletionAccumulator()
    /// Framed events not yet handed out.
    var output: [UInt8] = []
    /// Chunks framed into `output` since it was last handed out.
    var newChunks = 0
    var done = false
    var failure: MistralError?
    var requestID: String?

    private static let dataPrefix = Array("data: ".utf8)
    private static let eventEnd = Array("\n\n".utf8)
    static let doneEvent = Array("data: [DONE]\n\n".utf8)

    mutating func receive(event: String?, data: UnsafeBufferPointer<UInt8>, id: String?, retry: Int?) {
        guard !done, failure == nil else { return }
        if data.spells("[DONE]") {
            if !accumulator.isFinished {
                failure = StreamFailure.truncated(
                    "[DONE] came before every choice had a finish reason", chunks: accumulator.chunkCount, requestID: requestID,
                    partial: accumulator.response)
            } else if accumulator.finishedWithError {
                failure = StreamFailure.finishedWithError(requestID: requestID, partial: accumulator.response)
            } else {
                output += Self.doneEvent
                done = true
            }
            return
        }
        if event != "error" {
            do {
                try accumulator.add(chunkJSON: data)
                frame(data)
                return
            } catch {
                // Not a plain chunk: the tree path below decides what it is.
            }
        }
        let bytes = Array(data)
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            failure = StreamFailure.undecodable(data: bytes, error: error, requestID: requestID, partial: accumulator.response)
            return
        }
        if event == "error" || StreamFailure.isErrorBody(json) {
            failure = StreamFailure.serverError(data: bytes, requestID: requestID, partial: accumulator.response)
            return
        }
        do {
            accumulator.add(try ChatCompletionChunk(json: json))
            frame(data)
        } catch {
            failure = StreamFailure.undecodable(data: bytes, error: error, requestID: requestID, partial: accumulator.response)
        }
    }

    /// The body ended: whole when every choice finished (a missing `[DONE]` is added, as the
    /// SDKs wait for it), cut otherwise.
    mutating func endOfBody(cutInsideEvent: Bool, requestID: String?) {
        guard !done, failure == nil else { return }
        if accumulator.isFinished, !cutInsideEvent {
            if accumulator.finishedWithError {
                failure = StreamFailure.finishedWithError(requestID: requestID, partial: accumulator.response)
            } else {
                output += Self.doneEvent
                done = true
            }
        } else {
            failure = StreamFailure.truncated(
                "it ended without [DONE] or a finish reason", chunks: accumulator.chunkCount, requestID: requestID,
                partial: accumulator.response)
        }
    }

    private mutating func frame(_ data: UnsafeBufferPointer<UInt8>) {
        output += Self.dataPrefix
        output.append(contentsOf: data)
        output += Self.eventEnd
        newChunks += 1
    }
}
