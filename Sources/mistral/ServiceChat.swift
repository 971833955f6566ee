import AsyncHTTPClient
import Foundation
import MistralKit
import NIOCore
import NIOHTTP1

/// `mistral chat --gateway URL --user U --session S [--agent ID]`: a turn of a user's session's
/// conversation kept by a running `mistral serve`, through its Conversations API, so the CLI is a
/// client of the service as any front end is. The session's conversation is the latest one the
/// key's owner started with that user and session (in its metadata); the first message starts it.
struct ServiceChat {
    let base: String
    let key: String
    let timeout: Duration

    /// Sends `prompt` and writes the answer as it streams (or whole); returns the conversation's id.
    func send(_ prompt: String, user: String, session: String, agent: String?, model: String, stream: Bool) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let id = try await turn(http, prompt, user: user, session: session, agent: agent, model: model, stream: stream)
            try await http.shutdown()
            return id
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func turn(
        _ http: HTTPClient, _ prompt: String, user: String, session: String, agent: String?, model: String, stream: Bool
    ) async throws -> String {
        let metadata: JSONValue = ["mistral_user": .string(user), "mistral_session": .string(session)]
        let query = metadata.jsonString.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let listed = try await call(http, .GET, "/v1/conversations?page_size=1&metadata=\(query)", body: nil)
        let existing = listed.arrayValue?.first(where: { ($0["agent_id"]?.stringValue) == agent })?["id"]?.stringValue
        var body: [String: JSONValue] = ["inputs": .string(prompt), "stream": .bool(stream)]
        let path: String
        if let existing {
            path = "/v1/conversations/\(existing)"
        } else {
            path = "/v1/conversations"
            body["metadata"] = metadata
            if let agent { body["agent_id"] = .string(agent) } else { body["model"] = .string(model) }
        }
        var request = try makeRequest(.POST, path, body: .object(body))
        if stream { request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream") }
        let response = try await http.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        guard response.status == .ok else { throw try await failure(response) }
        if !stream {
            let answer = try JSONParser.parse(Array(try await response.body.collect(upTo: 16 << 20).readableBytesView))
            Terminal.write(Self.text(answer["outputs"]?[0]?["content"]) + "\n")
            return answer["conversation_id"]?.stringValue ?? existing ?? ""
        }
        return try await printEvents(response, fallbackID: existing)
    }

    /// Writes the text of each `message.output.delta` as it arrives; throws the stream's error event.
    private func printEvents(_ response: HTTPClientResponse, fallbackID: String?) async throws -> String {
        var id = fallbackID ?? ""
        var pending = ""
        var printed = false
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\n\n") {
                let event = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                guard let line = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                    let data = try? JSONParser.parse(Array(line.dropFirst(6).utf8))
                else { continue }
                switch data["type"]?.stringValue {
                case "conversation.response.started": id = data["conversation_id"]?.stringValue ?? id
                case "message.output.delta":
                    if let text = data["content"]?.stringValue {
                        Terminal.write(text)
                        printed = true
                    }
                case "conversation.response.error":
                    if printed { Terminal.write("\n") }
                    throw MistralError(kind: .streamError, message: data["message"]?.stringValue ?? "The answer failed.")
                default: break
                }
            }
        }
        Terminal.write("\n")
        return id
    }

    private func call(_ http: HTTPClient, _ method: HTTPMethod, _ path: String, body: JSONValue?) async throws -> JSONValue {
        let response = try await http.execute(try makeRequest(method, path, body: body), timeout: .seconds(Int64(timeout.components.seconds)))
        guard response.status == .ok else { throw try await failure(response) }
        return try JSONParser.parse(Array(try await response.body.collect(upTo: 16 << 20).readableBytesView))
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String, body: JSONValue?) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONCoding.encode(body)))
        }
        return request
    }

    /// The server's error, as the CLI reports errors.
    private func failure(_ response: HTTPClientResponse) async throws -> MistralError {
        let body = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let json = try? JSONParser.parse(body)
        let message = json?["message"]?.stringValue ?? json?["detail"]?[0]?["msg"]?.stringValue ?? String(decoding: body.prefix(300), as: UTF8.self)
        return MistralError(kind: response.status.code == 404 ? .notFound : .badRequest, message: "The server answered \(response.status.code): \(message)")
    }

    /// An answer's text: a string, or the text of its chunks.
    static func text(_ content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["type"] == "text" ? $0["text"]?.stringValue : nil }.joined()
    }
}
