import Foundation
import Logging
import MistralChat
import MistralEmulator
import MistralGateway
import MistralGatewayCore
import MistralKit
import MistralTestSupport

/// A gateway on a free port in front of `upstream`, with an in-memory store holding one key per
/// entry of `keys` (name → limits).
struct GatewayWorld: Sendable {
    var baseURL: String
    var gateway: Gateway
    var store: InMemoryGatewayStore
    /// Each key's secret, by name.
    var secrets: [String: String]
    var keys: [String: VirtualKey]

    func secret(_ name: String = "app") -> String { secrets[name]! }
}

/// Starts a gateway in front of `upstream` for the length of `body`, then shuts it down
/// gracefully (draining requests, flushing the ledger).
func withGateway<Result>(
    upstream: String, keys: [String: KeyLimits] = ["app": KeyLimits()], store: InMemoryGatewayStore = InMemoryGatewayStore(),
    chatStore: (any ChatStore)? = nil, configure: (inout GatewayConfiguration) -> Void = { _ in },
    _ body: (GatewayWorld) async throws -> Result
) async throws -> Result {
    var secrets: [String: String] = [:]
    var created: [String: VirtualKey] = [:]
    for (name, limits) in keys.sorted(by: { $0.key < $1.key }) {
        let secret = KeySecret()
        let key = VirtualKey(name: name, owner: "owner-\(name)", prefix: secret.prefix, secretHash: secret.hash, limits: limits)
        try await store.createKey(key)
        secrets[name] = secret.secret
        created[name] = key
    }
    var upstreamConfiguration = MistralClient.Configuration(apiKey: testAPIKey, server: MistralServer(baseURL: upstream))
    upstreamConfiguration.retry = .disabled
    upstreamConfiguration.circuitBreakers = nil
    var logger = Logger(label: "gateway-test")
    logger.logLevel = .warning
    var configuration = GatewayConfiguration(
        port: 0, upstream: upstreamConfiguration, upstreamLimits: RateLimits(requestsPerSecond: 10_000, tokensPerMinute: 1_000_000_000),
        ledgerFlushInterval: .milliseconds(50), logger: logger)
    configure(&configuration)
    let finalConfiguration = configuration
    let holder = GatewayHolder()
    let secretsByName = secrets
    let keysByName = created
    return try await LoopbackServer.withRunning(logger: logger) { onListening in
        let gateway = Gateway(configuration: finalConfiguration, store: store, chatStore: chatStore, onListening: onListening)
        holder.gateway = gateway
        return gateway
    } _: { port in
        try await body(
            GatewayWorld(baseURL: "http://127.0.0.1:\(port)", gateway: holder.gateway!, store: store, secrets: secretsByName, keys: keysByName))
    }
}

private final class GatewayHolder: @unchecked Sendable {
    var gateway: Gateway?
}

/// The `data:` payloads of an event stream, in order (`[DONE]` included).
func eventData(_ body: [UInt8]) -> [String] {
    String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").compactMap { event in
        event.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }
}
