import MistralKit

/// The API key test clients send by default; the emulator accepts any non-empty key unless
/// its configuration lists keys.
public let testAPIKey = "test-key"

/// A client for the emulator (or any server) at `baseURL`. Call `shutdown()` when done, or
/// use ``withClient(baseURL:apiKey:headers:timeouts:_:)``.
///
/// `headers` are sent on every request, e.g. `[("x-emulator-fault", "status=503")]`.
/// Test clients neither retry nor break circuits unless `configure` turns them on, so a
/// test sees each fault it injects exactly once.
public func makeClient(
    baseURL: String, apiKey: String? = testAPIKey, headers: [(String, String)] = [],
    timeouts: MistralClient.Timeouts = MistralClient.Timeouts(),
    configure: (inout MistralClient.Configuration) -> Void = { _ in }
) -> MistralClient {
    var configuration = MistralClient.Configuration(
        apiKey: apiKey, server: MistralServer(baseURL: baseURL), timeouts: timeouts, defaultHeaders: headers)
    configuration.retry = .disabled
    configuration.circuitBreakers = nil
    configure(&configuration)
    return MistralClient(configuration: configuration)
}

/// Runs `body` with a client for `baseURL` and shuts the client down afterwards, also when
/// `body` throws.
public func withClient<Result>(
    baseURL: String, apiKey: String? = testAPIKey, headers: [(String, String)] = [],
    timeouts: MistralClient.Timeouts = MistralClient.Timeouts(),
    configure: (inout MistralClient.Configuration) -> Void = { _ in },
    _ body: (MistralClient) async throws -> Result
) async throws -> Result {
    let client = makeClient(baseURL: baseURL, apiKey: apiKey, headers: headers, timeouts: timeouts, configure: configure)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
