import Foundation
import MistralChat
import MistralKit

/// The gateway's configuration file (JSON): everything ``GatewayConfiguration`` holds that is
/// not a secret. `mistral serve --config FILE` reads it; environment variables override it and
/// flags override both.
///
/// ```json
/// {
///   "host": "0.0.0.0", "port": 8080,
///   "upstream": { "base_url": "https://api.mistral.ai", "requests_per_second": 20, "tokens_per_minute": 2000000,
///                 "max_queue_wait_ms": 1000, "retries": 2, "timeout_s": 300,
///                 "models": { "mistral-large-latest": { "tokens_per_minute": 500000 } } },
///   "aliases": { "support": "mistral-small-latest" },
///   "fallbacks": [ { "model": "mistral-small-latest" },
///                  { "model": "smollm2", "provider": { "name": "local", "base_url": "http://127.0.0.1:8081/v1" } } ],
///   "tools": [ { "name": "order_status", "description": "The status of an order", "parameters": { "type": "object" },
///                "url": "https://orders.internal/status", "headers_from_env": { "Authorization": "ORDERS_TOKEN" } } ],
///   "max_body_bytes": 16777216, "ledger_flush_ms": 500, "key_refresh_ms": 1000
/// }
/// ```
/// The upstream key never appears in the file: it comes from `MISTRAL_API_KEY`, `--api-key`, or
/// the file named by `upstream.api_key_file`.
public struct GatewayConfigurationFile: Sendable, Codable, Hashable {
    public struct UpstreamSection: Sendable, Codable, Hashable {
        public var baseURL: String?
        /// A file whose first line is the upstream's API key (kept out of the configuration).
        public var apiKeyFile: String?
        public var requestsPerSecond: Double?
        public var tokensPerMinute: Int?
        public var maxQueueWaitMilliseconds: Int?
        public var retries: Int?
        public var timeoutSeconds: Double?
        /// Limits of single models lower than the upstream's, by model name.
        public var models: [String: ModelLimitsSection]?

        enum CodingKeys: String, CodingKey {
            case models
            case baseURL = "base_url"
            case apiKeyFile = "api_key_file"
            case requestsPerSecond = "requests_per_second"
            case tokensPerMinute = "tokens_per_minute"
            case maxQueueWaitMilliseconds = "max_queue_wait_ms"
            case retries
            case timeoutSeconds = "timeout_s"
        }
    }

    public struct ModelLimitsSection: Sendable, Codable, Hashable {
        public var requestsPerSecond: Double?
        public var tokensPerMinute: Int?

        enum CodingKeys: String, CodingKey {
            case requestsPerSecond = "requests_per_second"
            case tokensPerMinute = "tokens_per_minute"
        }
    }

    public struct FallbackSection: Sendable, Codable, Hashable {
        public struct Provider: Sendable, Codable, Hashable {
            public var name: String
            /// An OpenAI-compatible server's base URL (e.g. a llama.cpp server's `…/v1`).
            public var baseURL: String
            /// The environment variable holding its key, if it needs one.
            public var apiKeyEnv: String?

            enum CodingKeys: String, CodingKey {
                case name
                case baseURL = "base_url"
                case apiKeyEnv = "api_key_env"
            }
        }

        public var model: String
        public var provider: Provider?
    }

    /// A tool the chat service runs by calling a webhook: the model's arguments are `POST`ed as
    /// JSON to `url`, a 2xx body is the result. Header values come from environment variables
    /// (`headers_from_env: {"Authorization": "ORDERS_API_TOKEN"}`), never from the file.
    public struct WebhookToolSection: Sendable, Codable, Hashable {
        public var name: String
        public var description: String
        public var parameters: JSONValue
        public var url: String
        public var headersFromEnv: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name, description, parameters, url
            case headersFromEnv = "headers_from_env"
        }
    }

    public var host: String?
    public var port: Int?
    public var upstream: UpstreamSection?
    public var tools: [WebhookToolSection]?
    public var aliases: [String: String]?
    public var fallbacks: [FallbackSection]?
    public var maxBodyBytes: Int?
    public var ledgerFlushMilliseconds: Int?
    public var keyRefreshMilliseconds: Int?

    enum CodingKeys: String, CodingKey {
        case host, port, upstream, aliases, fallbacks, tools
        case maxBodyBytes = "max_body_bytes"
        case ledgerFlushMilliseconds = "ledger_flush_ms"
        case keyRefreshMilliseconds = "key_refresh_ms"
    }

    public init() {}

    /// Reads `path`. Throws a `.configuration` ``MistralError`` naming the file and the member
    /// that is wrong.
    public static func load(_ path: String) throws -> GatewayConfigurationFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw MistralError(kind: .configuration, message: "Cannot read the gateway configuration \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(GatewayConfigurationFile.self, from: data)
        } catch {
            throw MistralError(kind: .configuration, message: "The gateway configuration \(path) is not valid: \(error)")
        }
    }

    /// `configuration` with this file's values applied, then the environment's
    /// (`MISTRAL_GATEWAY_HOST`, `MISTRAL_GATEWAY_PORT`, `MISTRAL_GATEWAY_RPS`, `MISTRAL_GATEWAY_TPM`,
    /// `MISTRAL_GATEWAY_MAX_QUEUE_WAIT_MS`). The upstream's base URL here applies only when
    /// neither the environment nor a flag set one (the caller decides that order).
    public func apply(to configuration: inout GatewayConfiguration, environment: [String: String]) throws {
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let upstream {
            if let rps = upstream.requestsPerSecond { configuration.upstreamLimits.requestsPerSecond = rps }
            if let tpm = upstream.tokensPerMinute { configuration.upstreamLimits.tokensPerMinute = tpm }
            if let wait = upstream.maxQueueWaitMilliseconds { configuration.maxQueueWait = .milliseconds(wait) }
            for (model, limits) in upstream.models ?? [:] {
                guard limits.requestsPerSecond.map({ $0 > 0 }) ?? true, limits.tokensPerMinute.map({ $0 > 0 }) ?? true,
                    limits.requestsPerSecond != nil || limits.tokensPerMinute != nil
                else {
                    throw MistralError(
                        kind: .configuration, message: "upstream.models.\(model) needs a positive requests_per_second or tokens_per_minute.")
                }
                configuration.modelLimits[model] = RateLimits(requestsPerSecond: limits.requestsPerSecond, tokensPerMinute: limits.tokensPerMinute)
            }
            if let retries = upstream.retries { configuration.upstream.retry.maxAttempts = retries + 1 }
            if let timeout = upstream.timeoutSeconds { configuration.upstream.timeouts.readIdle = .milliseconds(Int(timeout * 1000)) }
            if let file = upstream.apiKeyFile, configuration.upstream.apiKey?.isEmpty ?? true {
                do {
                    let text = try String(contentsOfFile: file, encoding: .utf8)
                    configuration.upstream.apiKey = text.split(whereSeparator: \.isNewline).first.map(String.init)
                } catch {
                    throw MistralError(kind: .configuration, message: "Cannot read the upstream key file \(file).")
                }
            }
        }
        if let aliases { configuration.aliases.merge(aliases) { _, new in new } }
        for tool in tools ?? [] {
            guard URL(string: tool.url)?.scheme.map({ ["http", "https"].contains($0) }) == true, !tool.name.isEmpty else {
                throw MistralError(kind: .configuration, message: "tools: '\(tool.name)' needs a name and an http(s) url.")
            }
            var headers: [String: String] = [:]
            for (header, variable) in tool.headersFromEnv ?? [:] {
                guard let value = environment[variable], !value.isEmpty else {
                    throw MistralError(kind: .configuration, message: "tools: '\(tool.name)' takes its \(header) header from \(variable), which is not set.")
                }
                headers[header] = value
            }
            configuration.chatTools.append(
                ChatTool(name: tool.name, description: tool.description, parameters: tool.parameters, handler: .webhook(url: tool.url, headers: headers)))
        }
        if let fallbacks {
            configuration.upstream.fallbacks = fallbacks.map { fallback in
                guard let provider = fallback.provider else { return .model(fallback.model) }
                return .provider(
                    .openAICompatible(name: provider.name, baseURL: provider.baseURL, apiKey: provider.apiKeyEnv.flatMap { environment[$0] }),
                    model: fallback.model)
            }
        }
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        if let ledgerFlushMilliseconds { configuration.ledgerFlushInterval = .milliseconds(ledgerFlushMilliseconds) }
        if let keyRefreshMilliseconds { configuration.keyRefreshInterval = .milliseconds(keyRefreshMilliseconds) }
        if let host = environment["MISTRAL_GATEWAY_HOST"], !host.isEmpty { configuration.host = host }
        if let port = environment["MISTRAL_GATEWAY_PORT"].flatMap(Int.init) { configuration.port = port }
        if let rps = environment["MISTRAL_GATEWAY_RPS"].flatMap(Double.init) { configuration.upstreamLimits.requestsPerSecond = rps }
        if let tpm = environment["MISTRAL_GATEWAY_TPM"].flatMap(Int.init) { configuration.upstreamLimits.tokensPerMinute = tpm }
        if let wait = environment["MISTRAL_GATEWAY_MAX_QUEUE_WAIT_MS"].flatMap(Int.init) { configuration.maxQueueWait = .milliseconds(wait) }
    }
}
