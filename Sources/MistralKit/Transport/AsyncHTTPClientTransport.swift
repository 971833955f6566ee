import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The real transport: AsyncHTTPClient with connection pooling, HTTP/1.1 and HTTP/2.
///
/// Timeouts: `connect` bounds connection set-up; `readIdle` fails a response (or a stream)
/// that stays silent that long between two reads, without cutting long streams that keep
/// sending; the optional per-request `deadline` bounds the whole exchange.
public final class AsyncHTTPClientTransport: MistralTransport {
    private let client: HTTPClient
    private let ownsClient: Bool

    /// Creates a transport with its own `HTTPClient`; call ``shutdown()`` when done.
    ///
    /// `maxConnectionsPerHost` bounds the HTTP/1.1 connections kept to one server: a request
    /// beyond them waits for one to free up (HTTP/2 servers multiplex instead). Raise it for a
    /// process that holds many streams at once, such as a gateway.
    public init(connectTimeout: Duration = .seconds(10), readIdleTimeout: Duration = .seconds(300), maxConnectionsPerHost: Int = 8) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .init(connectTimeout), read: .init(readIdleTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnectionsPerHost))
        configuration.decompression = .enabled(limit: .ratio(100))
        // The client makes its own spans (a call and each attempt) and injects their context;
        // AsyncHTTPClient's would repeat them, and cost attribute work on every request even unrecorded.
        configuration.tracing.tracer = nil
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        ownsClient = true
    }

    /// Uses an existing `HTTPClient`, whose own timeouts then apply; it is not shut down here.
    public init(client: HTTPClient) {
        self.client = client
        ownsClient = false
    }

    public func send(_ request: HTTPRequestDescription, deadline: ContinuousClock.Instant?) async throws -> HTTPResponseStream {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let nioDeadline = deadline.map { NIODeadline.now() + TimeAmount(ContinuousClock.now.duration(to: $0)) } ?? .distantFuture
        let response = try await execute(outgoing, deadline: nioDeadline)
        // A total deadline must also cut the body, which AsyncHTTPClient's deadline does not
        // cover once the head has arrived: then the body is pumped by a task the deadline cancels.
        let body = deadline.map { ResponseBody(DeadlineBody(base: response.body, deadline: $0)) } ?? ResponseBody(MappedBody(base: response.body))
        return HTTPResponseStream(status: Int(response.status.code), headers: response.headers, body: body)
    }

    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    private func execute(_ request: HTTPClientRequest, deadline: NIODeadline) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, deadline: deadline)
        } catch {
            throw Self.map(error)
        }
    }

    /// Maps AsyncHTTPClient's and NIO's errors to ``MistralError`` kinds; any other error is
    /// normalised by ``MistralError/init(normalizing:)``.
    private static func map(_ error: any Error) -> MistralError {
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled:
                return MistralError(kind: .cancelled, message: "The request was cancelled.", underlying: error)
            case .readTimeout:
                return MistralError(kind: .timeout, message: "No data arrived within the read idle timeout.", underlying: error)
            case .connectTimeout:
                return MistralError(kind: .timeout, message: "Connecting to the server timed out.", underlying: error)
            case .deadlineExceeded:
                return MistralError(kind: .timeout, message: "The request deadline passed.", underlying: error)
            case .writeTimeout:
                return MistralError(kind: .timeout, message: "Sending the request timed out.", underlying: error)
            case .remoteConnectionClosed:
                return MistralError(kind: .connection, message: "The server closed the connection before the response was complete.", underlying: error)
            default:
                return MistralError(kind: .connection, message: "HTTP client error: \(error).", underlying: error)
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return MistralError(kind: .timeout, message: "Connecting to the server timed out.", underlying: error)
        }
        return MistralError(normalizing: error)
    }

    /// The response body with transport errors mapped.
    private struct MappedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: HTTPClientResponse.Body
        func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }
        struct Iterator: AsyncIteratorProtocol {
            var base: HTTPClientResponse.Body.AsyncIterator
            mutating func next() async throws -> ByteBuffer? {
                do {
                    return try await base.next()
                } catch {
                    throw AsyncHTTPClientTransport.map(error)
                }
            }
        }
    }

    /// The response body read by a task that is cancelled at `deadline`.
    private struct DeadlineBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: HTTPClientResponse.Body
        let deadline: ContinuousClock.Instant

        func makeAsyncIterator() -> AsyncThrowingStream<ByteBuffer, any Error>.Iterator {
            let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
            let base = base
            let deadline = deadline
            let pump = Task {
                do {
                    for try await buffer in base { continuation.yield(buffer) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: AsyncHTTPClientTransport.map(error))
                }
            }
            let watchdog = Task {
                try await Task.sleep(until: deadline, clock: .continuous)
                continuation.finish(throwing: MistralError(kind: .timeout, message: "The request deadline passed while the response was streaming."))
                pump.cancel()
            }
            continuation.onTermination = { _ in
                pump.cancel()
                watchdog.cancel()
            }
            return stream.makeAsyncIterator()
        }
    }
}
