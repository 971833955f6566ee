import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import MistralEmulator
import Synchronization

/// A pass-through HTTP proxy on `127.0.0.1` that records every exchange byte for byte, for tests
/// against a real upstream (a llama.cpp server) whose answers differ from machine to machine.
///
/// A test sends through the proxy and compares what our code printed, returned or stored with
/// what the upstream really sent, instead of with words the model is expected to say. Response
/// bodies are relayed chunk by chunk as they arrive, so streams stay streams.
public final class RecordingProxy: Sendable {
    /// One request relayed to the upstream and the upstream's whole answer.
    public struct Exchange: Sendable {
        public var method: String
        /// The path and query the client asked for.
        public var uri: String
        public var requestBody: [UInt8]
        public var status: Int
        /// The response body exactly as the upstream sent it.
        public var responseBody: [UInt8]

        /// The response body parsed as one JSON object; `nil` when it is not one.
        public var responseJSON: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(responseBody))) as? [String: Any]
        }

        /// The JSON objects of the response's server-sent `data:` events, in order (`[DONE]` left out).
        /// Parsed here independently of MistralKit's SSE parser, so a test compares against the wire.
        public var serverSentJSONEvents: [[String: Any]] {
            String(decoding: responseBody, as: UTF8.self)
                .split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" })
                .compactMap { line -> [String: Any]? in
                    guard line.hasPrefix("data:") else { return nil }
                    let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                    guard payload != "[DONE]" else { return nil }
                    return (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
                }
        }

        /// The text of a chat completion as the upstream sent it: the first choice's message content
        /// of a JSON answer, or its delta contents joined in order for a stream.
        public var chatText: String? {
            if let choices = responseJSON?["choices"] as? [[String: Any]] {
                return (choices.first?["message"] as? [String: Any])?["content"] as? String
            }
            let events = serverSentJSONEvents
            guard !events.isEmpty else { return nil }
            return events.compactMap { event in
                ((event["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
            }.joined()
        }

        /// The `usage` object the upstream reported (the last one in a stream), if any.
        public var usage: [String: Any]? {
            if let usage = responseJSON?["usage"] as? [String: Any] { return usage }
            return serverSentJSONEvents.compactMap { $0["usage"] as? [String: Any] }.last
        }

        /// The first choice's `finish_reason` (the last non-null one in a stream).
        public var finishReason: String? {
            if let choices = responseJSON?["choices"] as? [[String: Any]] {
                return choices.first?["finish_reason"] as? String
            }
            return serverSentJSONEvents.compactMap {
                ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String
            }.last
        }
    }

    private let upstream: String
    private let client: HTTPClient
    private let log = Mutex<[Exchange]>([])

    private init(upstream: String, client: HTTPClient) {
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.client = client
    }

    /// Every exchange in the order the upstream answered, each with the response bytes relayed so far.
    public var exchanges: [Exchange] { log.withLock { $0 } }

    /// Starts a proxy in front of `upstream` (a base URL such as `http://127.0.0.1:8080`) on a free
    /// port, runs `body` with the proxy's base URL and the proxy, then stops it.
    /// Rethrows `body`'s error after shutdown; throws when the server cannot start.
    public static func withRunning<Result>(
        upstream: String, _ body: (String, RecordingProxy) async throws -> Result
    ) async throws -> Result {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let proxy = RecordingProxy(upstream: upstream, client: client)
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("**", method: method) { request, _ in try await proxy.relay(request) }
        }
        let logger = Logger(label: "recording-proxy", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let result = try await LoopbackServer.withRunning(logger: logger) { onListening in
                Application(
                    router: router,
                    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                    onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
                    logger: logger)
            } _: { port in
                try await body("http://127.0.0.1:\(port)", proxy)
            }
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func relay(_ request: Request) async throws -> Response {
        let requestBody = try await request.body.collect(upTo: 64 << 20)
        var outgoing = HTTPClientRequest(url: upstream + request.uri.description)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        outgoing.body = .bytes(requestBody)
        let upstreamResponse = try await client.execute(outgoing, timeout: .seconds(300))
        var headers = HTTPFields()
        for (name, value) in upstreamResponse.headers where !Self.hopByHop.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let method = request.method.rawValue
        let uri = request.uri.description
        let status = Int(upstreamResponse.status.code)
        let requestBytes = Array(buffer: requestBody)
        // Each piece of the body is recorded before it is relayed, so whatever a client has read
        // (even one that stops at `data: [DONE]`, before the upstream closes) is already here.
        let index = log.withLock {
            $0.append(Exchange(method: method, uri: uri, requestBody: requestBytes, status: status, responseBody: []))
            return $0.count - 1
        }
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody { [self] writer in
                for try await buffer in upstreamResponse.body {
                    self.log.withLock { $0[index].responseBody.append(contentsOf: buffer.readableBytesView) }
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            })
    }

    private static let hopByHop: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade", "te", "trailer",
    ]
}
