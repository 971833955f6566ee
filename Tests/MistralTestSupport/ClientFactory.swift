import MistralKit

/// The API key test clients send by default; the emulator accepts any non-empty key unless
/// its configuration lists keys.
public let testAPIKey = "test-key"

/// A client for the emulator (or any server) at `baseURL`. Call `shutdown()` when done, or
/// use ``withClient(baseURL:apiKey:headers:timeouts:_:)``.
///
/// `headers` are sent on every request, e.g. `[("x-emulator-fault", "status=503")]`.
public func makeClient(
    baseURL: String, apiKey: String? = testAPIKey, headers: [(String, String)] = [],
    timeouts: MistralClient.Timeouts = MistralClient.Timeouts()
) -> MistralClient {
    MistralClient(
        configuration: .init(apiKey: apiKey, server: MistralServer(baseURL: baseURL), timeouts: timeouts, defaultHeaders: headers))
}

/// Runs `body` with a client for `baseURL` and shuts the client down afterwards, also when
/// `body` throws.
public func withClient<Result>(
    baseURL: String, apiKey: String? = testAPIKey, headers: [(String, String)] = [],
    timeouts: MistralClient.Timeouts = MistralClient.Timeouts(),
    _ body: (MistralClient) async throws -> Result
) async throws -> Result {
    let client = makeClient(baseURL: baseURL, apiKey: apiKey, headers: headers, timeouts: timeouts)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
