import Foundation
import NIOHTTP1

/// Request building: a call's headers and encoded body, in the dialect of the upstream it goes to.
extension MistralClient {
    /// The HTTP request a call would send, e.g. to render with ``CurlCommand``.
    /// Throws `.invalidRequest` when the body cannot be encoded.
    public func prepare<Body: Encodable>(_ method: HTTPMethod, _ path: String, body: Body?, streaming: Bool = false) throws
        -> HTTPRequestDescription
    {
        try prepare(method, path, bytes: try body.map { try Self.encode($0, dialect: .mistral) }, streaming: streaming, upstream: primary)
    }

    /// The curl command for a chat request (streamed or not); the key is redacted unless `revealKey`.
    public func curlCommand(for request: ChatCompletionRequest, stream: Bool = false, revealKey: Bool = false) throws -> String {
        var request = request
        request.stream = stream
        return CurlCommand.render(try prepare(.POST, "/v1/chat/completions", body: request, streaming: stream), revealKey: revealKey)
    }

    /// The request for `call` with its encoded `body`.
    func prepare(_ call: CallInfo, body: [UInt8]?) throws -> HTTPRequestDescription {
        try prepare(call.method, call.path, bytes: body, streaming: call.streaming, upstream: call.upstream)
    }

    private func prepare(_ method: HTTPMethod, _ path: String, bytes: [UInt8]?, streaming: Bool, upstream: ResolvedUpstream) throws
        -> HTTPRequestDescription
    {
        // The primary upstream's four sets of headers were made once, in `init`.
        let headers =
            upstream.isPrimary
            ? primaryHeaders[(streaming ? 2 : 0) + (bytes != nil ? 1 : 0)]
            : Self.headers(apiKey: upstream.apiKey, streaming: streaming, hasBody: bytes != nil, configuration: configuration)
        return HTTPRequestDescription(method: method, url: upstream.baseURL + path, headers: headers, body: bytes)
    }

    /// The headers of a request to an upstream with this key.
    static func headers(apiKey: String?, streaming: Bool, hasBody: Bool, configuration: Configuration) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let key = apiKey, !key.isEmpty { headers.add(name: "Authorization", value: "Bearer \(key)") }
        headers.add(name: "User-Agent", value: configuration.userAgent)
        // JSON is what every endpoint answers by default; a stream says what it expects.
        if streaming { headers.add(name: "Accept", value: "text/event-stream") }
        if hasBody { headers.add(name: "Content-Type", value: "application/json") }
        for (name, value) in configuration.defaultHeaders { headers.replaceOrAdd(name: name, value: value) }
        return headers
    }

    /// `body` as JSON in `dialect`: Mistral's as is, an OpenAI-compatible provider's mapped once
    /// on the way (see ``OpenAICompatibleMapping``). Throws `.invalidRequest`.
    static func encode<Body: Encodable>(_ body: Body, dialect: Upstream.Dialect) throws -> [UInt8] {
        do {
            switch dialect {
            case .mistral:
                return try JSONCoding.encodeBytes(body)
            case .openAICompatible:
                return try JSONCoding.encodeBytes(OpenAICompatibleMapping.request(try JSONCoding.encodeTree(body)))
            }
        } catch {
            throw MistralError(kind: .invalidRequest, message: "The request could not be encoded: \(error)", underlying: error)
        }
    }

    static func escapePath(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}
