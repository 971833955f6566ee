import MistralEmulator
import MistralKit

/// Runs `body` against a fresh emulator on `127.0.0.1` and a free port, then shuts it down.
///
/// `body` receives the base URL (`http://127.0.0.1:<port>`) and the emulator, whose
/// ``MistralEmulator/requestLog`` shows what was sent. Each call builds its own emulator, so
/// tests can run in parallel. The emulator logs only warnings and errors unless the
/// configuration's logger asks for `debug` or `trace`. Rethrows `body`'s error after shutdown.
public func withEmulator<Result>(
    configuration: EmulatorConfiguration = EmulatorConfiguration(),
    _ body: (String, MistralEmulator) async throws -> Result
) async throws -> Result {
    var configuration = configuration
    if configuration.logger.logLevel >= .info { configuration.logger.logLevel = .warning }
    return try await MistralEmulator.withRunning(configuration, body)
}

/// Runs `body` with a client connected to a fresh emulator; the client is shut down and the
/// emulator stopped afterwards, whether `body` succeeds or throws.
public func withEmulatorClient<Result>(
    configuration: EmulatorConfiguration = EmulatorConfiguration(),
    apiKey: String = testAPIKey,
    headers: [(String, String)] = [],
    timeouts: MistralClient.Timeouts = MistralClient.Timeouts(),
    configure: (inout MistralClient.Configuration) -> Void = { _ in },
    _ body: (MistralClient, MistralEmulator) async throws -> Result
) async throws -> Result {
    try await withEmulator(configuration: configuration) { baseURL, emulator in
        try await withClient(baseURL: baseURL, apiKey: apiKey, headers: headers, timeouts: timeouts, configure: configure) { client in
            try await body(client, emulator)
        }
    }
}
