import ArgumentParser
import Foundation
import Logging
import MistralKit

/// Flags every API command shares: where to connect, with which key, and how to debug it.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "Base URL of a Mistral-compatible server (default: MISTRAL_BASE_URL, else Mistral's API).")
    var baseURL: String?

    @Option(help: "Mistral endpoint: global, eu or us.")
    var server: String?

    @Option(name: .customLong("api-key"), help: "API key (default: MISTRAL_API_KEY).")
    var apiKey: String?

    @Option(help: "Seconds without data before a response or stream is abandoned.")
    var timeout: Double = 300

    @Flag(help: "Log each request and response to stderr (the key is redacted).")
    var verbose = false

    @Flag(help: "Print the equivalent curl command to stderr before sending (key redacted).")
    var curl = false

    func validate() throws {
        if baseURL != nil, server != nil { throw ValidationError("Use either --base-url or --server, not both.") }
        if let server, MistralServer(named: server) == nil {
            throw ValidationError("Unknown server '\(server)': use global, eu or us, or --base-url.")
        }
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    /// The client configuration: flags first, then the environment.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) -> MistralClient.Configuration {
        var configuration = MistralClient.Configuration.fromEnvironment(environment)
        if let apiKey { configuration.apiKey = apiKey }
        if let baseURL { configuration.server = MistralServer(baseURL: baseURL) }
        if let server, let named = MistralServer(named: server) { configuration.server = named }
        configuration.timeouts.readIdle = .milliseconds(Int(timeout * 1000))
        var logger = Logger(label: "mistral")
        logger.logLevel = verbose ? .trace : .warning
        configuration.logger = logger
        return configuration
    }

    /// Runs `body` with a client that is always shut down, turning failures into one clear
    /// line on stderr and a non-zero exit.
    func withClient<T>(_ body: (MistralClient) async throws -> T) async throws -> T {
        Terminal.bootstrapLogging()
        let client = MistralClient(configuration: configuration())
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw Terminal.fail(error)
        }
    }

    /// Prints the curl command for `request` when `--curl` was given.
    func showCurl(_ request: @autoclosure () throws -> HTTPRequestDescription) rethrows {
        if curl { Terminal.error(CurlCommand.render(try request())) }
    }
}
