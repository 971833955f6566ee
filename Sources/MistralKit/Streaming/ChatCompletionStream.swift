import Foundation
import Logging
import NIOCore

/// A streamed chat or FIM completion: an `AsyncSequence` of ``ChatCompletionChunk``s.
///
/// It ends normally only when every choice has a finish reason, followed by `data: [DONE]` or the
/// end of the body. Otherwise (also on a `[DONE]` that comes first) it throws ``MistralError`` with kind `.truncatedStream` (or
/// `.timeout`, `.cancelled`), whose ``MistralError/partial`` holds everything received. A server
/// error inside the stream (an error event, or `finish_reason: "error"`) throws `.streamError`.
/// Cancelling the task that iterates cancels the HTTP request. Iterate once.
public struct ChatCompletionStream: AsyncSequence, Sendable {
    public typealias Element = ChatCompletionChunk

    let body: ResponseBody
    let requestID: String?
    let logger: Logger
    /// Records usage, cost and the outcome when the stream ends (streams from a client).
    let tracker: CallTracker?
    /// Which route answered, when the client has fallbacks.
    public let answeredBy: AnsweredBy?

    /// A stream over a raw `text/event-stream` body, e.g. one read by your own HTTP stack.
    public init(body: ResponseBody, requestID: String? = nil, logger: Logger = Logger(label: "MistralKit")) {
        self.init(body: body, requestID: requestID, logger: logger, tracker: nil, answeredBy: nil)
    }

    init(body: ResponseBody, requestID: String?, logger: Logger, tracker: CallTracker?, answeredBy: AnsweredBy?) {
        self.body = body
        self.requestID = requestID
        self.logger = logger
        self.tracker = tracker
        self.answeredBy = answeredBy
    }

    /// Consumes the stream and returns the folded response.
    ///
    /// Cheaper than iterating when only the answer matters: plain chunks are folded straight from
    /// their bytes, never made. Fails as iterating would (`.truncatedStream` with the partial
    /// answer, `.streamError`, `.cancelled`, …).
    public func collect() async throws -> ChatCompletionResponse {
        var iterator = makeAsyncIterator()
        // Nobody sees the chunks: each is added to the accumulator straight from its bytes.
        iterator.foldsOnly = true
        while try await iterator.next() != nil {}
        var response = iterator.accumulator.response
        response.answeredBy = answeredBy
        return response
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator(), requestID: requestID, logger: logger, tracker: tracker)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var body: ResponseBody.AsyncIterator
        let requestID: String?
        let logger: Logger
        var parser = ServerSentEventParser()
        /// Events parsed from the last read and not handled yet, their data still bytes.
        var pending = PendingEvents()
        var pendingIndex = 0
        /// Everything received so far, folded.
        public private(set) var accumulator = ChatCompletionAccumulator()
        var finished = false
        let tracker: CallTracker?
        /// The last chunk's id, object and model, lent to the next chunk when they repeat.
        var repeated: ChatCompletionChunk.RepeatedStrings?
        /// Set by ``collect()``: plain chunks are only added to the accumulator, never made or
        /// returned (`next()` returns only the chunks that took the slower paths).
        var foldsOnly = false

        init(body: ResponseBody.AsyncIterator, requestID: String?, logger: Logger, tracker: CallTracker?) {
            self.body = body
            self.requestID = requestID
            self.logger = logger
            self.tracker = tracker
        }

        public mutating func next() async throws -> ChatCompletionChunk? {
            guard let tracker else {
                if let chunk = try nextParsed() { return chunk }
                return try await nextChunk()
            }
            do {
                // Most chunks are already parsed: taken without an async call (a frame and a
                // suspension point per chunk cost as much as reading the chunk).
                var next = try nextParsed()
                if next == nil { next = try await nextChunk() }
                if let chunk = next {
                    tracker.sawChunk()
                    return chunk
                }
                let response = accumulator.response
                tracker.finish(usage: response.usage, responseModel: response.model, error: nil)
                return nil
            } catch {
                let mapped = MistralError(normalizing: error)
                let partial = mapped.partial ?? accumulator.response
                tracker.finish(usage: partial.usage, responseModel: partial.model, error: mapped, partialText: partial.text)
                throw mapped
            }
        }

        /// The next chunk among the events already parsed; `nil` when they are used up (or the
        /// stream finished), and the body must be read.
        private mutating func nextParsed() throws -> ChatCompletionChunk? {
            while !finished, pendingIndex < pending.events.count {
                let (type, range) = pending.events[pendingIndex]
                pendingIndex += 1
                let bytes = pending.bytes
                if let chunk = try bytes.withUnsafeBufferPointer({ try handle(type: type, data: UnsafeBufferPointer(rebasing: $0[range])) }) {
                    return chunk
                }
            }
            return nil
        }

        private mutating func nextChunk() async throws -> ChatCompletionChunk? {
            while !finished {
                if let chunk = try nextParsed() { return chunk }
                if finished { break }
                pending.removeAll()
                pendingIndex = 0
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    finished = true
                    throw cut(by: error)
                }
                if Task.isCancelled {
                    // However the transport ended the body, a cancelled consumer gets `.cancelled`.
                    finished = true
                    throw MistralError(
                        kind: .cancelled, message: "The stream was cancelled after \(accumulator.chunkCount) chunks.",
                        requestID: requestID, partial: accumulator.response)
                }
                guard let buffer else {
                    finished = true
                    let cutInsideEvent = parser.finish()
                    return try endOfBody(cutInsideEvent: cutInsideEvent)
                }
                if foldsOnly {
                    // Plain chunks are added as the parser finds them, straight from the read.
                    var folding = FoldingEvents()
                    swap(&folding.accumulator, &accumulator)
                    swap(&folding.pending, &pending)
                    parser.feed(buffer.readableBytesView, to: &folding)
                    swap(&folding.accumulator, &accumulator)
                    swap(&folding.pending, &pending)
                    if folding.added > 0 { tracker?.sawChunks(folding.added) }
                } else {
                    parser.feed(buffer.readableBytesView, to: &pending)
                }
            }
            return nil
        }

        /// One event of type `type` (`nil` for a plain message) with these data bytes.
        private mutating func handle(type: String?, data: UnsafeBufferPointer<UInt8>) throws -> ChatCompletionChunk? {
            if data.spells("[DONE]") {
                finished = true
                // A server that gives up mid-answer may still close with [DONE] (llama-cpp-python's
                // does when another request interrupts it): without a finish reason it was cut.
                guard accumulator.isFinished else { throw truncated(by: "[DONE] came before every choice had a finish reason") }
                try checkFinishReasons()
                return nil
            }
            // A plain chunk is read straight from its bytes; anything else (an error event, an
            // error body, a malformed chunk) takes the tree path below, which owns every error.
            if type != "error" {
                if foldsOnly {
                    do {
                        try accumulator.add(chunkJSON: data)
                        tracker?.sawChunk()
                        return nil
                    } catch {
                        // Not a plain chunk: the paths below decide what it is.
                    }
                }
                if let text = accumulator.addIfTemplated(data) { return accumulator.templatedChunk(text: text) }
                do {
                    var content: Range<Int>?
                    let chunk = try ChatCompletionChunk.read(data, previous: repeated, content: &content)
                    accumulator.add(chunk)
                    accumulator.remember(chunk, bytes: data, content: content)
                    repeated = ChatCompletionChunk.RepeatedStrings(chunk)
                    return chunk
                } catch {
                    // Not a plain chunk: the tree path below decides what it is.
                }
            }
            // As text first, as any SSE client sees it (invalid UTF-8 repaired).
            let event = ServerSentEvent(event: type, data: String(decoding: data, as: UTF8.self))
            let json: JSONValue
            do {
                json = try JSONParser.parse(event.data.utf8)
            } catch {
                finished = true
                throw undecodable(event, error)
            }
            if event.event == "error" || StreamFailure.isErrorBody(json) {
                finished = true
                throw StreamFailure.serverError(data: Array(event.data.utf8), requestID: requestID, partial: accumulator.response)
            }
            let chunk: ChatCompletionChunk
            do {
                chunk = try ChatCompletionChunk(json: json)
            } catch {
                finished = true
                throw undecodable(event, error)
            }
            accumulator.add(chunk)
            return chunk
        }

        private func undecodable(_ event: ServerSentEvent, _ error: any Error) -> MistralError {
            StreamFailure.undecodable(data: Array(event.data.utf8), error: error, requestID: requestID, partial: accumulator.response)
        }

        private func checkFinishReasons() throws {
            if accumulator.finishedWithError { throw StreamFailure.finishedWithError(requestID: requestID, partial: accumulator.response) }
        }

        private func endOfBody(cutInsideEvent: Bool) throws -> ChatCompletionChunk? {
            if accumulator.isFinished && !cutInsideEvent {
                try checkFinishReasons()
                return nil
            }
            throw truncated(by: "it ended without [DONE] or a finish reason")
        }

        private func truncated(by reason: String) -> MistralError {
            logger.debug("stream truncated", metadata: ["request-id": "\(requestID ?? "-")", "chunks": "\(accumulator.chunkCount)"])
            return StreamFailure.truncated(reason, chunks: accumulator.chunkCount, requestID: requestID, partial: accumulator.response)
        }

        private func cut(by error: any Error) -> MistralError {
            StreamFailure.cut(by: error, chunks: accumulator.chunkCount, requestID: requestID, partial: accumulator.response)
        }
    }
}

/// What ``ChatCompletionStream/collect()`` does with the events of a read: each plain chunk is
/// added to the accumulator as soon as the parser completes it, from the read's own bytes; any
/// other event (`[DONE]`, an error, a chunk only the slower paths read) waits in `pending`, and
/// so does every event after it, so that events are still handled in order.
struct FoldingEvents: ServerSentEventSink {
    var accumulator = ChatCompletionAccumulator()
    var pending = PendingEvents()
    /// Chunks added here.
    var added = 0

    mutating func receive(event: String?, data: UnsafeBufferPointer<UInt8>, id: String?, retry: Int?) {
        if pending.events.isEmpty, event == nil {
            do {
                try accumulator.add(chunkJSON: data)
                added += 1
                return
            } catch {
                // Handled by the stream, after the read, with the events that follow it.
            }
        }
        pending.receive(event: event, data: data, id: id, retry: retry)
    }
}

/// Events a read completed, their data kept as bytes in one buffer (no `String` per event).
struct PendingEvents: ServerSentEventSink {
    var bytes: [UInt8] = []
    var events: [(type: String?, range: Range<Int>)] = []

    mutating func receive(event: String?, data: UnsafeBufferPointer<UInt8>, id: String?, retry: Int?) {
        let start = bytes.count
        bytes.append(contentsOf: data)
        events.append((event, start..<bytes.count))
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
    }
}
