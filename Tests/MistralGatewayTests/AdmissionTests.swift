import Foundation
import MistralChat
import MistralEmulator
import MistralGateway
import MistralGatewayCore
import MistralKit
import MistralTestSupport
import Synchronization
import Testing

/// Budgets, the upstream queue and shutdown: what the gateway holds for every caller together.
struct AdmissionTests {
    static let chatBody = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Where is my order?"}],"max_tokens":40}"#

    @Test func aBudgetHoldsUnderAHundredConcurrentCalls() async throws {
        try await withEmulator { emulatorURL, emulator in
            try await withGateway(upstream: emulatorURL) { world in
                let url = world.baseURL + "/v1/chat/completions"
                // What one call really costs, and what one reserves (its prompt plus max_tokens).
                #expect(try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret()).status == 200)
                let probe = try #require(await rows(world, count: 1).first)
                let reservation = try #require(
                    PriceTable.mistral.cost(promptTokens: probe.promptTokens + 5, completionTokens: 40, model: "mistral-small-latest"))
                let budget = probe.costUSD * 10
                let secret = KeySecret()
                let key = VirtualKey(
                    name: "budgeted", owner: "o", prefix: secret.prefix, secretHash: secret.hash, limits: KeyLimits(dailyBudgetUSD: budget))
                try await world.store.createKey(key)
                emulator.requestLog.removeAll()

                let statuses = try await withThrowingTaskGroup(of: RawHTTPResponse.self) { group in
                    for _ in 0..<100 { group.addTask { try await sendRaw("POST", url, body: Self.chatBody, apiKey: secret.secret) } }
                    return try await group.reduce(into: [RawHTTPResponse]()) { $0.append($1) }
                }
                let served = statuses.filter { $0.status == 200 }.count
                let refused = statuses.filter { $0.status == 429 }
                #expect(served + refused.count == 100)
                #expect(refused.allSatisfy { $0.json?["type"] == "gateway_budget_exceeded" })
                #expect(emulator.requestLog.count == served)
                _ = await eventually { ((try? await world.store.entries(LedgerQuery(keyID: key.id))) ?? []).count == 100 }
                let spent = try await world.store.spentUSD(keyID: key.id, since: .distantPast)
                #expect(spent <= budget + reservation)
                #expect(served >= 1 && served <= 11)
            }
        }
    }

    /// A key's limits changed while its ledger rows are still unwritten (the flush is a minute
    /// away): the remade gate takes over what the key spent, so neither a new rate limit nor a
    /// raised budget gives the spent money back.
    @Test func changingAKeysLimitsForgetsNothingItSpent() async throws {
        try await withEmulator { emulatorURL, _ in
            try await withGateway(upstream: emulatorURL, configure: {
                $0.ledgerFlushInterval = .seconds(60)
                $0.keyRefreshInterval = .milliseconds(50)
            }) { world in
                let url = world.baseURL + "/v1/chat/completions"
                let probe = try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret())
                let usage = try #require(probe.json?["usage"])
                let prompt = Int(try #require(usage["prompt_tokens"]?.doubleValue))
                let completion = Int(try #require(usage["completion_tokens"]?.doubleValue))
                let cost = try #require(PriceTable.mistral.cost(promptTokens: prompt, completionTokens: completion, model: "mistral-small-latest"))
                let secret = KeySecret()
                var key = VirtualKey(
                    name: "budgeted", owner: "o", prefix: secret.prefix, secretHash: secret.hash, limits: KeyLimits(dailyBudgetUSD: cost * 4))
                try await world.store.createKey(key)
                func spendUntilRefused() async throws -> Int {
                    var served = 0
                    while try await sendRaw("POST", url, body: Self.chatBody, apiKey: secret.secret).status == 200 { served += 1 }
                    return served
                }
                let first = try await spendUntilRefused()
                #expect(first >= 1 && first <= 4)

                key.limits.requestsPerMinute = 1_000
                try await world.store.updateKey(key)
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await sendRaw("POST", url, body: Self.chatBody, apiKey: secret.secret).status == 429)

                key.limits.dailyBudgetUSD = cost * 8
                try await world.store.updateKey(key)
                try await Task.sleep(for: .milliseconds(300))
                let second = try await spendUntilRefused()
                #expect(second >= 1)
                #expect(first + second <= 8)
            }
        }
    }

    @Test func theQueueKeepsTheUpstreamUnderItsLimitAndRefusesEarlyWithRetryAfter() async throws {
        let configuration = EmulatorConfiguration(rateLimits: EmulatorRateLimits(requestsPerSecond: 10))
        try await withEmulator(configuration: configuration) { emulatorURL, emulator in
            try await withGateway(
                upstream: emulatorURL,
                configure: {
                    $0.upstreamLimits = RateLimits(requestsPerSecond: 10, tokensPerMinute: 1_000_000)
                    $0.maxQueueWait = .milliseconds(500)
                }
            ) { world in
                let url = world.baseURL + "/v1/chat/completions"
                let started = ContinuousClock.now
                let responses = try await withThrowingTaskGroup(of: (RawHTTPResponse, Duration).self) { group in
                    for _ in 0..<40 {
                        group.addTask {
                            let response = try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret())
                            return (response, ContinuousClock.now - started)
                        }
                    }
                    return try await group.reduce(into: [(RawHTTPResponse, Duration)]()) { $0.append($1) }
                }
                let served = responses.filter { $0.0.status == 200 }
                let refused = responses.filter { $0.0.status == 429 }
                #expect(served.count + refused.count == 40)
                // Nothing reached the upstream beyond its limit: it never answered 429.
                #expect(emulator.requestLog.count == served.count)
                #expect(refused.allSatisfy { $0.0.header("x-mistralkit-error-source") == "gateway" })
                #expect(refused.allSatisfy { $0.0.json?["type"] == "gateway_queue_full" })
                #expect(refused.allSatisfy { Int($0.0.header("retry-after") ?? "") ?? 0 >= 1 })
                // Refused at once, not after waiting: well before the 500 ms a served call may wait.
                #expect(refused.allSatisfy { $0.1 < .milliseconds(400) })
                #expect(served.count >= 4)
            }
        }
    }

    /// A model with its own lower limit: calls to it queue (and are refused early) at that
    /// limit, while calls to other models on the same upstream pass at the upstream's.
    @Test func aModelWithItsOwnLimitIsQueuedAtItWhileOthersPass() async throws {
        try await withEmulator { emulatorURL, emulator in
            try await withGateway(
                upstream: emulatorURL,
                configure: {
                    $0.modelLimits = ["mistral-large-latest": RateLimits(requestsPerSecond: 2)]
                    $0.maxQueueWait = .milliseconds(300)
                }
            ) { world in
                let url = world.baseURL + "/v1/chat/completions"
                let large = Self.chatBody.replacingOccurrences(of: "mistral-small-latest", with: "mistral-large-latest")
                let responses = try await withThrowingTaskGroup(of: (String, RawHTTPResponse).self) { group in
                    for index in 0..<20 {
                        let model = index.isMultiple(of: 2) ? "large" : "small"
                        group.addTask { (model, try await sendRaw("POST", url, body: model == "large" ? large : Self.chatBody, apiKey: world.secret())) }
                    }
                    return try await group.reduce(into: [(String, RawHTTPResponse)]()) { $0.append($1) }
                }
                let small = responses.filter { $0.0 == "small" }.map(\.1)
                let largeServed = responses.filter { $0.0 == "large" && $0.1.status == 200 }.count
                let largeRefused = responses.filter { $0.0 == "large" && $0.1.status == 429 }.map(\.1)
                #expect(small.allSatisfy { $0.status == 200 })
                #expect(largeServed + largeRefused.count == 10)
                // 2 per second with a 300 ms wait: the first at once, at most one more in the wait.
                #expect(largeServed >= 1 && largeServed <= 3, "\(largeServed)")
                #expect(largeRefused.allSatisfy { $0.json?["type"] == "gateway_queue_full" && $0.header("retry-after") != nil })
                #expect(emulator.requestLog.count == 10 + largeServed)
                let metrics = try await sendRaw("GET", world.baseURL + "/metrics", apiKey: nil)
                #expect(metrics.text.contains(#"gateway_model_queue_depth{model="mistral-large-latest"}"#))
            }
        }
    }

    /// The configuration file's per-model limits, and the refusal of one that limits nothing.
    @Test func modelLimitsComeFromTheConfigurationFile() throws {
        let json = #"{"upstream": {"models": {"mistral-large-latest": {"tokens_per_minute": 500000}, "codestral-latest": {"requests_per_second": 1}}}}"#
        let file = try JSONDecoder().decode(GatewayConfigurationFile.self, from: Data(json.utf8))
        var configuration = GatewayConfiguration(upstream: MistralClient.Configuration(apiKey: "k"))
        try file.apply(to: &configuration, environment: [:])
        #expect(configuration.modelLimits["mistral-large-latest"] == RateLimits(tokensPerMinute: 500_000))
        #expect(configuration.modelLimits["codestral-latest"] == RateLimits(requestsPerSecond: 1))
        let empty = try JSONDecoder().decode(GatewayConfigurationFile.self, from: Data(#"{"upstream": {"models": {"m": {}}}}"#.utf8))
        #expect(throws: MistralError.self) { try empty.apply(to: &configuration, environment: [:]) }
    }

    /// Webhook tools from the configuration file, their header secrets from the environment.
    @Test func webhookToolsComeFromTheConfigurationFileWithSecretsFromTheEnvironment() throws {
        let json = #"{"tools": [{"name": "order_status", "description": "d", "parameters": {"type": "object"}, "url": "https://orders.internal/status", "headers_from_env": {"Authorization": "ORDERS_TOKEN"}}]}"#
        let file = try JSONDecoder().decode(GatewayConfigurationFile.self, from: Data(json.utf8))
        var configuration = GatewayConfiguration(upstream: MistralClient.Configuration(apiKey: "k"))
        try file.apply(to: &configuration, environment: ["ORDERS_TOKEN": "Bearer secret"])
        let tool = try #require(configuration.chatTools.first)
        #expect(tool.name == "order_status")
        guard case .webhook(let url, let headers) = tool.handler else { Issue.record("not a webhook"); return }
        #expect(url == "https://orders.internal/status" && headers == ["Authorization": "Bearer secret"])
        var unset = GatewayConfiguration(upstream: MistralClient.Configuration(apiKey: "k"))
        #expect(throws: MistralError.self) { try file.apply(to: &unset, environment: [:]) }
    }

    @Test func aQuietKeyIsServedWhileANoisyOneFillsTheQueue() async throws {
        try await withEmulator { emulatorURL, _ in
            try await withGateway(
                upstream: emulatorURL, keys: ["noisy": KeyLimits(), "quiet": KeyLimits()],
                configure: {
                    $0.upstreamLimits = RateLimits(requestsPerSecond: 10, tokensPerMinute: 1_000_000)
                    $0.maxQueueWait = .seconds(1)
                }
            ) { world in
                let url = world.baseURL + "/v1/chat/completions"
                let noisy = Task {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<60 { group.addTask { try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret("noisy")).status } }
                        return try await group.reduce(into: [Int]()) { $0.append($1) }
                    }
                }
                // Once the noisy key has filled the queue, the quiet one asks three times.
                try await Task.sleep(for: .milliseconds(200))
                var quiet: [(Int, Duration)] = []
                for _ in 0..<3 {
                    let started = ContinuousClock.now
                    let status = try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret("quiet")).status
                    quiet.append((status, ContinuousClock.now - started))
                }
                let noisyStatuses = try await noisy.value
                #expect(noisyStatuses.contains(429))
                #expect(quiet.allSatisfy { $0.0 == 200 })
                // Each waited about one slot of its turn (100 ms here), not behind the noisy queue (about a second).
                #expect(quiet.allSatisfy { $0.1 < .milliseconds(800) }, "\(quiet)")
            }
        }
    }

    @Test func aGracefulShutdownDrainsRequestsAndLosesNoLedgerRow() async throws {
        let configuration = EmulatorConfiguration(latency: EmulatorLatency(timeToFirstToken: .milliseconds(50), perToken: .milliseconds(10)))
        let store = InMemoryGatewayStore()
        let streamBody = Self.chatBody.replacingOccurrences(of: "\"max_tokens\":40", with: "\"max_tokens\":40,\"stream\":true")
        try await withEmulator(configuration: configuration) { emulatorURL, emulator in
            let tasks = try await withGateway(upstream: emulatorURL, store: store, configure: { $0.ledgerFlushInterval = .seconds(60) }) { world in
                let url = world.baseURL + "/v1/chat/completions"
                let tasks = (0..<20).map { index in
                    Task { (try? await sendRaw("POST", url, body: index.isMultiple(of: 2) ? streamBody : Self.chatBody, apiKey: world.secret()))?.status }
                }
                // Shut down once all twenty are in flight (the upstream has them, and answers in 50 ms or more).
                #expect(await eventually { emulator.requestLog.count == 20 })
                return tasks
            }
            var answered = 0
            for task in tasks where await task.value == 200 { answered += 1 }
            // With a 60 s flush interval, every row was written by the final flush after draining.
            let written = try await store.entries(LedgerQuery())
            #expect(answered == 20)
            #expect(written.count == answered)
        }
    }
}
