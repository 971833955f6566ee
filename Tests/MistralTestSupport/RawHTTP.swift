import MistralKit
import NIOHTTP1

/// An HTTP response read whole, for tests that check exact status lines, headers and bodies.
public struct RawHTTPResponse: Sendable {
    public var status: Int
    /// Every header, names lower-cased, in arrival order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON; `nil` when it is not JSON.
    public var json: JSONValue? { try? JSONCoding.decode(JSONValue.self, from: body) }
}

/// Sends one request exactly as given (any method, headers and body, even invalid JSON) and
/// reads the whole response, for bodies and checks the typed client cannot express.
/// `Authorization: Bearer <apiKey>` and `Content-Type: application/json` are added unless
/// `apiKey` is `nil` or `headers` sets them. Throws ``MistralError`` for transport failures.
public func sendRaw(
    _ method: String, _ url: String, body: String? = nil, apiKey: String? = testAPIKey, headers: [(String, String)] = []
) async throws -> RawHTTPResponse {
    var fields = HTTPHeaders()
    if let apiKey { fields.add(name: "Authorization", value: "Bearer \(apiKey)") }
    if body != nil { fields.add(name: "Content-Type", value: "application/json") }
    for (name, value) in headers { fields.replaceOrAdd(name: name, value: value) }
    let transport = AsyncHTTPClientTransport(readIdleTimeout: .seconds(30))
    do {
        let response = try await transport.send(
            HTTPRequestDescription(method: HTTPMethod(rawValue: method), url: url, headers: fields, body: body.map { Array($0.utf8) }),
            deadline: nil)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        try await transport.shutdown()
        return RawHTTPResponse(
            status: response.status, headers: response.headers.map { (name: $0.name.lowercased(), value: $0.value) }, body: bytes)
    } catch {
        try? await transport.shutdown()
        throw error
    }
}
