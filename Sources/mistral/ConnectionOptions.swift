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

    @Option(help: "Retries after a 429, 5xx or connection failure (0 turns retries off).")
    var retries: Int = 2

    @Option(name: .customLong("fallback"), help: "A model to try when the requested one fails after retries (repeatable, in order).")
    var fallbackModels: [String] = []

    @Option(name: .customLong("tag"), help: "A usage tag KEY=VALUE recorded with the call (repeatable), e.g. --tag user=42.")
    var tags: [String] = []

    @Option(name: .customLong("prices"), help: "A JSON price file overriding the built-in price table.")
    var pricesFile: String?

    @Option(name: .customLong("monthly-budget"), help: "Refuse calls that would take this month's recorded spend past this many USD.")
    var monthlyBudget: Double?

    @Flag(name: .customLong("no-usage-log"), help: "Do not record usage in the usage ledger (default ~/.mistral/usage.jsonl, or MISTRAL_USAGE_LEDGER).")
    var noUsageLog = false

    func validate() throws {
        if baseURL != nil, server != nil { throw ValidationError("Use either --base-url or --server, not both.") }
        if let server, MistralServer(named: server) == nil {
            throw ValidationError("Unknown server '\(server)': use global, eu or us, or --base-url.")
        }
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds.") }
        if retries < 0 { throw ValidationError("--retries must be 0 or more.") }
        for tag in tags where Self.parseTag(tag) == nil {
            throw ValidationError("Tag '\(tag)' is not KEY=VALUE.")
        }
        if let monthlyBudget, monthlyBudget <= 0 { throw ValidationError("--monthly-budget must be a positive number of USD.") }
        if monthlyBudget != nil, noUsageLog {
            throw ValidationError("--monthly-budget needs the usage ledger to know this month's spend; drop --no-usage-log.")
        }
    }

    /// The `--tag` values as a dictionary.
    var usageTags: [String: String] {
        Dictionary(tags.compactMap(Self.parseTag), uniquingKeysWith: { _, new in new })
    }

    static func parseTag(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// The client configuration: flags first, then the environment.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MistralClient.Configuration {
        var configuration = MistralClient.Configuration.fromEnvironment(environment)
        if let apiKey { configuration.apiKey = apiKey }
        if let baseURL { configuration.server = MistralServer(baseURL: baseURL) }
        if let server, let named = MistralServer(named: server) { configuration.server = named }
        configuration.timeouts.readIdle = .milliseconds(Int(timeout * 1000))
        var logger = Logger(label: "mistral")
        logger.logLevel = verbose ? .trace : .warning
        configuration.logger = logger
        configuration.retry.maxAttempts = retries + 1
        configuration.fallbacks = fallbackModels.map(FallbackRoute.model)
        if let pricesFile { configuration.prices = try configuration.prices.loading(overridesFrom: URL(fileURLWithPath: pricesFile)) }
        if !noUsageLog {
            let ledger = JSONLinesUsageLedger(url: JSONLinesUsageLedger.defaultURL(environment: environment))
            configuration.usageLedger = ledger
            if let monthlyBudget {
                configuration.budget = Budget(hardLimitUSD: monthlyBudget, period: .month, seedFrom: try ledger.records(since: nil), logger: logger)
            }
        }
        return configuration
    }

    /// Runs `body` with a client that is always shut down, turning failures into one clear
    /// line on stderr and a non-zero exit.
    func withClient<T>(_ body: (MistralClient) async throws -> T) async throws -> T {
        Terminal.bootstrapLogging()
        let client: MistralClient
        do {
            client = MistralClient(configuration: try configuration())
        } catch {
            throw Terminal.fail(error)
        }
        do {
            let result = try await UsageTags.with(usageTags) { try await body(client) }
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
