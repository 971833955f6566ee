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

/// A transport that answers each request with a closure, given the request and its
/// 0-based position, and records what it was sent.
final class ScriptedTransport: MistralTransport {
    typealias Script = @Sendable (HTTPRequestDescription, Int) async throws -> HTTPResponseStream
    private let script: Script
    let sent = Mutex<[HTTPRequestDescription]>([])

    init(_ script: @escaping Script) { self.script = script }

    var count: Int { sent.withLock { $0.count } }

    /// The JSON bodies sent, in order.
    var bodies: [JSONValue] {
        sent.withLock { $0.compactMap { $0.body.flatMap { try? JSONCoding.decode(JSONValue.self, from: $0) } } }
    }

    func send(_ request: HTTPRequestDescription, deadline: ContinuousClock.Instant?) async throws -> HTTPResponseStream {
        let index = sent.withLock { sent in
            sent.append(request)
            return sent.count - 1
        }
        return try await script(request, index)
    }

    func shutdown() async throws {}
}

/// Canned responses for scripted transports.
enum Canned {
    static func chatBody(model: String = "mistral-small-latest", text: String = "Hello!", prompt: Int = 5, completion: Int = 5, cached: Int? = nil) -> String {
        let details = cached.map { #","prompt_tokens_details":{"cached_tokens":\#($0)}"# } ?? ""
        return #"{"id":"cmpl-1","object":"chat.completion","model":"\#(model)","created":1,"choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion)\#(details)}}"#
    }

    static func json(_ status: Int = 200, _ body: String = chatBody(), headers: [(String, String)] = []) -> HTTPResponseStream {
        HTTPResponseStream(
            status: status, headers: HTTPHeaders([("content-type", "application/json")] + headers), body: ResponseBody(PiecewiseBody(body)))
    }

    static func error(_ status: Int, headers: [(String, String)] = []) -> HTTPResponseStream {
        let type = status == 429 ? "rate_limited" : "internal_server_error"
        return json(status, #"{"object":"error","message":"failure \#(status)","type":"\#(type)","param":null,"code":"\#(status == 429 ? "1300" : "3000")"}"#, headers: headers)
    }

    static func stream(_ events: [String], failure: MistralError? = nil) -> HTTPResponseStream {
        HTTPResponseStream(
            status: 200, headers: HTTPHeaders([("content-type", "text/event-stream")]),
            body: ResponseBody(PiecewiseBody(events.map { "data: \($0)\n\n" }.joined(), failure: failure)))
    }

    static func chunk(_ text: String, finish: String? = nil, usage: Bool = false) -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        let usageJSON = usage ? #","usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}"# : ""
        return #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"\#(text)"},"finish_reason":\#(reason)}]\#(usageJSON)}"#
    }
}

/// A client over `transport` with the given tweaks; retries and breakers as `configure` sets them.
func scriptedClient(_ transport: any MistralTransport, configure: (inout MistralClient.Configuration) -> Void = { _ in }) -> MistralClient {
    var configuration = MistralClient.Configuration(apiKey: "test-key")
    configure(&configuration)
    return MistralClient(configuration: configuration, transport: transport)
}

let hello = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("Hello")])

/// A value shared between tasks in a test.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}
