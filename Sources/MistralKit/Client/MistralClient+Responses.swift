import Logging
import NIOHTTP1

/// Response reading: every answer's body is read here, a 2xx into the expected type and any
/// other status into a Mistral-shaped ``MistralError``; a call's usage is recorded once it is read.
extension MistralClient {
    /// A non-streamed call to the client's own upstream: execute, read, decode, record.
    func run<Body: Encodable, Response: Decodable>(
        _ call: CallInfo, body: Body?, usage: (Response) -> UsageInfo? = { _ in nil }, model: (Response) -> String? = { _ in nil }
    ) async throws -> Response {
        try await run(call, bytes: try body.map { try Self.encode($0, dialect: primary.dialect) }, usage: usage, model: model)
    }

    /// A non-streamed completion (chat or FIM), marked with the route that answered it.
    func complete(_ prepared: PreparedCall) async throws -> ChatCompletionResponse {
        var response: ChatCompletionResponse = try await run(
            prepared.call, bytes: prepared.body, usage: { $0.usage }, model: { $0.model })
        response.answeredBy = prepared.call.answeredBy
        return response
    }

    private func run<Response: Decodable>(
        _ call: CallInfo, bytes: [UInt8]?, usage: (Response) -> UsageInfo?, model: (Response) -> String?
    ) async throws -> Response {
        let admitted = try await execute(call, body: bytes)
        let response: Response = try await read(admitted, call: call)
        admitted.tracker.finish(usage: usage(response), responseModel: model(response), error: nil)
        return response
    }

    /// Reads and decodes a 2xx body; on failure the tracker records the error (with estimated usage).
    private func read<Response: Decodable>(_ admitted: Admitted, call: CallInfo) async throws -> Response {
        let response = admitted.response
        let bytes = try await collectBody(admitted)
        if configuration.logger.logLevel <= .trace {
            configuration.logger.trace("response body", metadata: ["body": "\(redact(String(decoding: bytes, as: UTF8.self)))"])
        }
        do {
            return try Self.decode(Response.self, from: bytes, dialect: call.upstream.dialect)
        } catch {
            let mapped = MistralError(
                kind: .undecodableResponse,
                message: "The \(response.status) response to \(call.method.rawValue) \(call.path) is not a valid \(Response.self): \(Self.summary(of: error))",
                status: response.status, requestID: admitted.requestID, bodySnippet: ErrorResponse.snippet(bytes),
                underlying: error)
            admitted.tracker.finish(usage: nil, responseModel: nil, error: mapped)
            throw mapped
        }
    }

    /// An admitted response's whole body; a failure to read it is recorded by the tracker and thrown.
    func collectBody(_ admitted: Admitted) async throws -> [UInt8] {
        do {
            return try await admitted.response.body.collect(upTo: configuration.maxResponseBytes)
        } catch {
            var mapped = MistralError(normalizing: error)
            mapped.requestID = admitted.requestID
            admitted.tracker.finish(usage: nil, responseModel: nil, error: mapped)
            throw mapped
        }
    }

    /// `bytes` decoded as `Response`: an OpenAI-compatible provider's answer is mapped once,
    /// as a tree, on the way (see ``OpenAICompatibleMapping``).
    static func decode<Response: Decodable>(_ type: Response.Type, from bytes: [UInt8], dialect: Upstream.Dialect) throws -> Response {
        switch dialect {
        case .mistral:
            return try JSONCoding.decode(Response.self, from: bytes)
        case .openAICompatible:
            return try JSONValueDecoder().decode(Response.self, from: OpenAICompatibleMapping.response(try JSONParser.parse(bytes)))
        }
    }

    /// The error a non-2xx response stands for, from its status, headers and (the start of) its body.
    func readError(_ response: HTTPResponseStream) async -> MistralError {
        let body = (try? await response.body.collect(upTo: 1 << 20)) ?? []
        return ErrorResponse.error(status: response.status, headers: response.headers, body: body)
    }

    static func requestID(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "mistral-correlation-id") ?? headers.first(name: "x-request-id")
    }

    /// A decoding error in one line: what and where.
    static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let rendered = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return rendered.isEmpty ? "the top level" : rendered
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context): return "null where \(type) was expected at \(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
