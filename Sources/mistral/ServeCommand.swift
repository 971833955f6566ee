import ArgumentParser
import Foundation
import Logging
import MistralGateway
import MistralKit
import MistralStore
import ServiceLifecycle
import Tracing

/// `mistral serve`: the gateway, until SIGINT or SIGTERM (which drain the requests in flight and
/// write every pending ledger row before exiting).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Mistral API through the gateway: keys, limits, budgets, a fair queue, a ledger.",
        discussion: """
            Callers use gateway keys (mistral keys create); the upstream is --base-url / --server with --api-key \
            or MISTRAL_API_KEY, as for every other command. Settings come from --config FILE (JSON), then \
            MISTRAL_GATEWAY_* environment variables, then flags. Endpoints: the Mistral API under /v1 \
            (with the Conversations and Agents API over the same database), /health, /ready and /metrics.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Address to listen on.")
    var host: String?

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int?

    @Option(help: "An SQLite file path or a postgres:// URL holding keys and the ledger (default: MISTRAL_DATABASE_URL, else ~/.mistral/mistral.sqlite).")
    var database: String?

    @Option(help: "A JSON configuration file (upstream limits, aliases, fallbacks, intervals).")
    var config: String?

    @Option(help: "The upstream's requests per second, kept for every caller together (default: learned from its headers).")
    var rps: Double?

    @Option(help: "The upstream's tokens per minute (default: learned from its headers).")
    var tpm: Int?

    @Option(name: .customLong("max-queue-wait-ms"), help: "The longest a request waits for the upstream before 429 with Retry-After.")
    var maxQueueWaitMs: Int?

    @Option(
        name: .customLong("model-limit"),
        help: "A model's own limits, lower than the upstream's: MODEL=RPS or MODEL=RPS:TPM (RPS may be empty: MODEL=:TPM; repeatable).")
    var modelLimits: [String] = []

    @Option(name: .customLong("alias"), help: "A model alias NAME=MODEL (repeatable).")
    var aliases: [String] = []

    @Option(
        name: .customLong("otlp-endpoint"),
        help: "Send traces over OTLP/HTTP to this URL (e.g. http://127.0.0.1:4318/v1/traces; default: OTEL_EXPORTER_OTLP_ENDPOINT). Needs a build with --traits OTLP.")
    var otlpEndpoint: String?

    @Option(
        name: .customLong("token-secret-file"),
        help: "A file whose contents (32 bytes or more) sign end-user tokens (default: MISTRAL_GATEWAY_TOKEN_SECRET, else a random secret per process).")
    var tokenSecretFile: String?

    @Option(name: .customLong("access-log"), help: "Where one JSON line per request goes: a file path, - for standard output, or off.")
    var accessLog = "-"

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535, got \(port).") }
        if let rps, rps <= 0 { throw ValidationError("--rps must be positive.") }
        if let tpm, tpm <= 0 { throw ValidationError("--tpm must be positive.") }
        if let maxQueueWaitMs, maxQueueWaitMs < 0 { throw ValidationError("--max-queue-wait-ms must not be negative.") }
        for limit in modelLimits where Self.parseModelLimit(limit) == nil {
            throw ValidationError("--model-limit '\(limit)' is not MODEL=RPS, MODEL=RPS:TPM or MODEL=:TPM with positive numbers.")
        }
        for alias in aliases where ConnectionOptions.parseTag(alias) == nil { throw ValidationError("Alias '\(alias)' is not NAME=MODEL.") }
        if connection.monthlyBudget != nil {
            throw ValidationError("--monthly-budget is per key for the gateway: mistral keys create --monthly-budget.")
        }
    }

    func run() async throws {
        Terminal.bootstrapLogging()
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "mistral-gateway")
        logger.logLevel = connection.verbose ? .debug : .info
        var configuration: GatewayConfiguration
        do {
            configuration = try gatewayConfiguration(environment: environment, logger: logger)
        } catch {
            throw Terminal.fail(error)
        }
        let official = [MistralServer.global, .eu, .us].contains(configuration.upstream.server)
        if official, configuration.upstream.apiKey?.isEmpty ?? true {
            throw Terminal.fail(
                MistralError(kind: .configuration, message: "No upstream API key for \(configuration.upstream.server): set MISTRAL_API_KEY or pass --api-key."))
        }
        let url = database ?? ChatStoreFactory.defaultURL(environment: environment)
        configuration.logger = logger
        let traces: (tracer: any Tracer, service: any Service)?
        do {
            traces = try TraceExport.make(endpoint: otlpEndpoint, environment: environment)
        } catch {
            throw Terminal.fail(error)
        }
        if let traces { configuration.upstream.tracer = traces.tracer }
        let finalConfiguration = configuration
        let host = configuration.host
        let upstreamURL = configuration.upstream.server.baseURL
        try await DatabaseOptions.withGatewayStore(url: url) { store in
            try await DatabaseOptions.withChatStore(url: url) { chatStore in
                let gateway = Gateway(configuration: finalConfiguration, store: store, chatStore: chatStore) { bound in
                    Terminal.write(
                        "Mistral gateway listening on http://\(host):\(bound) (upstream \(upstreamURL), database \(GatewayStoreFactory.displayName(url)))\n")
                }
                // The exporter is listed first so it stops last, after the gateway's final spans.
                let services: [any Service] = (traces.map { [$0.service] } ?? []) + [gateway]
                try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
            }
        }
    }

    /// `MODEL=RPS`, `MODEL=RPS:TPM` or `MODEL=:TPM`, positive numbers; `nil` when malformed.
    static func parseModelLimit(_ text: String) -> (String, RateLimits)? {
        guard let (model, value) = ConnectionOptions.parseTag(text) else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        var limits = RateLimits()
        if !parts[0].isEmpty {
            guard let rps = Double(parts[0]), rps > 0 else { return nil }
            limits.requestsPerSecond = rps
        }
        if parts.count == 2 {
            guard let tpm = Int(parts[1]), tpm > 0 else { return nil }
            limits.tokensPerMinute = tpm
        }
        guard limits.requestsPerSecond != nil || limits.tokensPerMinute != nil else { return nil }
        return (model, limits)
    }

    /// Defaults, then the file, then the environment, then flags.
    func gatewayConfiguration(environment: [String: String], logger: Logger) throws -> GatewayConfiguration {
        var upstream = try connection.configuration(environment: environment)
        // The gateway keeps its own ledger (per key, in the database), not the CLI's file.
        upstream.usageLedger = nil
        upstream.budget = nil
        var configuration = GatewayConfiguration(upstream: upstream, logger: logger)
        if let config {
            let file = try GatewayConfigurationFile.load(config)
            let urlFromFlagsOrEnvironment = connection.baseURL != nil || connection.server != nil || environment["MISTRAL_BASE_URL"] != nil
            if let base = file.upstream?.baseURL, !urlFromFlagsOrEnvironment { configuration.upstream.server = MistralServer(baseURL: base) }
            try file.apply(to: &configuration, environment: environment)
        } else {
            try GatewayConfigurationFile().apply(to: &configuration, environment: environment)
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let rps { configuration.upstreamLimits.requestsPerSecond = rps }
        if let tpm { configuration.upstreamLimits.tokensPerMinute = tpm }
        if let maxQueueWaitMs { configuration.maxQueueWait = .milliseconds(maxQueueWaitMs) }
        for alias in aliases {
            if let (name, model) = ConnectionOptions.parseTag(alias) { configuration.aliases[name] = model }
        }
        for limit in modelLimits {
            if let (model, limits) = Self.parseModelLimit(limit) { configuration.modelLimits[model] = limits }
        }
        if let tokenSecretFile {
            guard let data = FileManager.default.contents(atPath: tokenSecretFile) else {
                throw MistralError(kind: .configuration, message: "Cannot read the token secret file \(tokenSecretFile).")
            }
            configuration.endUserTokenSecret = Array(data)
        } else if let secret = environment["MISTRAL_GATEWAY_TOKEN_SECRET"], !secret.isEmpty {
            configuration.endUserTokenSecret = Array(secret.utf8)
        }
        if let secret = configuration.endUserTokenSecret, secret.count < 32 {
            throw MistralError(kind: .configuration, message: "The end-user token secret must be at least 32 bytes, not \(secret.count).")
        }
        switch accessLog {
        case "off": configuration.accessLog = nil
        case "-": configuration.accessLog = AccessLog(handle: .standardOutput)
        default:
            if !FileManager.default.fileExists(atPath: accessLog) { FileManager.default.createFile(atPath: accessLog, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: accessLog) else {
                throw MistralError(kind: .configuration, message: "Cannot write the access log \(accessLog).")
            }
            handle.seekToEndOfFile()
            configuration.accessLog = AccessLog(handle: handle)
        }
        return configuration
    }
}
