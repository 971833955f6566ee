import NIOCore
import NIOHTTP1

/// Sends one HTTP request and returns the response head with its body as a byte stream.
///
/// The seam between the client and the network: ``AsyncHTTPClientTransport`` is the real one;
/// tests and other stacks plug in their own. A transport throws ``MistralError`` with kind
/// `.connection`, `.timeout` or `.cancelled` for failures before a response; it never
/// interprets HTTP statuses (the client does).
public protocol MistralTransport: Sendable {
    /// Sends `request`. `deadline`, when given, bounds the whole exchange including the body.
    func send(_ request: HTTPRequestDescription, deadline: ContinuousClock.Instant?) async throws -> HTTPResponseStream

    /// Releases connections and threads. Calls after shutdown fail.
    func shutdown() async throws
}

/// An HTTP request, as the client built it: also the source of curl commands and debug logs.
public struct HTTPRequestDescription: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders, body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A response whose body has not been read yet.
public struct HTTPResponseStream: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body in the pieces the network delivered. Iterate it once.
    public var body: ResponseBody

    public init(status: Int, headers: HTTPHeaders, body: ResponseBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response body: an async sequence of byte buffers that ends with the body or throws a
/// transport failure. Dropping its iterator early cancels the underlying request.
public struct ResponseBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    private let makeIterator: @Sendable () -> AsyncIterator

    /// Wraps any sequence of buffers.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == ByteBuffer {
        makeIterator = { AsyncIterator(base.makeAsyncIterator()) }
    }

    /// A body holding `bytes` (or nothing).
    public init(bytes: [UInt8]) {
        self.init(SingleBuffer(buffer: bytes.isEmpty ? nil : ByteBuffer(bytes: bytes)))
    }

    public func makeAsyncIterator() -> AsyncIterator { makeIterator() }

    /// Reads the whole body, failing with a `.undecodableResponse` error past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in self {
            bytes.append(contentsOf: buffer.readableBytesView)
            if bytes.count > limit {
                throw MistralError(kind: .undecodableResponse, message: "The response body is larger than \(limit) bytes.")
            }
        }
        return bytes
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var next: () async throws -> ByteBuffer?

        init<Base: AsyncIteratorProtocol>(_ base: Base) where Base.Element == ByteBuffer {
            var base = base
            next = { try await base.next() }
        }

        public mutating func next() async throws -> ByteBuffer? { try await next() }
    }

    private struct SingleBuffer: AsyncSequence, Sendable {
        var buffer: ByteBuffer?
        func makeAsyncIterator() -> Iterator { Iterator(buffer: buffer) }
        struct Iterator: AsyncIteratorProtocol {
            var buffer: ByteBuffer?
            mutating func next() async throws -> ByteBuffer? {
                defer { buffer = nil }
                return buffer
            }
        }
    }
}
