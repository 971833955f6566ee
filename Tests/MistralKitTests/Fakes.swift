import NIOCore
import NIOHTTP1
import Synchronization

@testable import MistralKit

/// A body delivered in the given pieces, optionally failing after them.
struct PiecewiseBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    var pieces: [[UInt8]]
    var failure: MistralError?

    init(_ text: String, splitEvery: Int = .max, failure: MistralError? = nil) {
        let bytes = Array(text.utf8)
        pieces = stride(from: 0, to: bytes.count, by: Swift.max(1, Swift.min(splitEvery, bytes.count))).map {
            Array(bytes[$0..<Swift.min(bytes.count, $0 + splitEvery)])
        }
        self.failure = failure
    }

    func makeAsyncIterator() -> Iterator { Iterator(pieces: pieces, failure: failure) }

    struct Iterator: AsyncIteratorProtocol {
        var pieces: [[UInt8]]
        var failure: MistralError?
        var position = 0
        mutating func next() async throws -> ByteBuffer? {
            if position < pieces.count {
                position += 1
                return ByteBuffer(bytes: pieces[position - 1])
            }
            if let failure { throw failure }
            return nil
        }
    }
}

/// A transport that answers from a script and records what it was sent.
final class FakeTransport: MistralTransport {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }
    private let answers: Mutex<[Answer]>
    let sent = Mutex<[HTTPRequestDescription]>([])

    init(_ answers: [Answer]) { self.answers = Mutex(answers) }

    convenience init(status: Int = 200, headers: [(String, String)] = [("content-type", "application/json")], body: String) {
        self.init([Answer(status: status, headers: HTTPHeaders(headers), body: body)])
    }

    func send(_ request: HTTPRequestDescription, deadline: ContinuousClock.Instant?) async throws -> HTTPResponseStream {
        sent.withLock { $0.append(request) }
        let answer = answers.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
        return HTTPResponseStream(status: answer.status, headers: answer.headers, body: ResponseBody(PiecewiseBody(answer.body)))
    }

    func shutdown() async throws {}
}

extension ChatCompletionStream {
    /// A stream over a canned body, for tests.
    static func over(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable) -> ChatCompletionStream {
        ChatCompletionStream(body: ResponseBody(body), requestID: "test-request", logger: .init(label: "test"))
    }
}
