import Foundation
import MistralEmulator
import MistralGatewayCore
import MistralKit
import MistralTestSupport
import Testing

/// Both official Python SDKs, unchanged, through the gateway in front of the emulator.
struct GatewaySDKTests {
    static let story = "Tell me a long story about the sea."
    /// The story streams for about two seconds, long enough to hold a key's one slot.
    static let emulator = EmulatorConfiguration(
        latency: EmulatorLatency(timeToFirstToken: .milliseconds(5), perToken: .milliseconds(10)),
        cannedAnswers: EmulatorConfiguration.defaultCannedAnswers.merging([story: Array(repeating: "wave", count: 200).joined(separator: " ")]) {
            $1
        })

    @Test(.enabled(if: ProcessRunner.peersPythonShouldRun, "the peers venv is not installed (scripts/setup-peers.sh)"))
    func theMistralSDKPassesEveryCheckThroughTheGateway() async throws {
        let python = try #require(try ProcessRunner.peersPython())
        let script = ProcessRunner.packageRoot.appendingPathComponent("scripts/sdk_peer_test.py").path
        try await withEmulator(configuration: Self.emulator) { emulatorURL, emulator in
            try await withGateway(upstream: emulatorURL) { world in
                let result = try await ProcessRunner.run(python, [script, world.baseURL, world.secret()], timeout: .seconds(120))
                #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
                #expect(result.stdout.contains("8 passed, 0 failed"), "\(result.stdout)")
                let rows = try await rows(world, count: 1)
                #expect(rows.contains { $0.endpoint == "/v1/chat/completions" && $0.outcome == "ok" })
                // The gateway called the upstream with its own key, never the caller's.
                #expect(emulator.requestLog.requests.allSatisfy { $0.header("authorization") == "Bearer \(testAPIKey)" })
            }
        }
    }

    @Test(.enabled(if: ProcessRunner.peersPythonShouldRun, "the peers venv is not installed (scripts/setup-peers.sh)"))
    func theOpenAISDKAndTheGatewaysOwnAnswersWorkWithBothSDKs() async throws {
        let python = try #require(try ProcessRunner.peersPython())
        let script = ProcessRunner.packageRoot.appendingPathComponent("scripts/gateway_sdk_test.py").path
        try await withEmulator(configuration: Self.emulator) { emulatorURL, emulator in
            try await withGateway(
                upstream: emulatorURL, keys: ["app": KeyLimits(), "revoked": KeyLimits(), "limited": KeyLimits(maxConcurrent: 1)]
            ) { world in
                var revoked = try #require(world.keys["revoked"])
                revoked.revokedAt = Date()
                revoked.updatedAt = Date()
                try await world.store.updateKey(revoked)
                try await Task.sleep(for: .seconds(1.5))  // one key refresh (1 s by default)
                let result = try await ProcessRunner.run(
                    python, [script, world.baseURL, world.secret(), world.secret("revoked"), world.secret("limited")], timeout: .seconds(120))
                #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
                #expect(result.stdout.contains("8 passed, 0 failed"), "\(result.stdout)")
                let chats = emulator.requestLog.requests(path: "/v1/chat/completions").compactMap(\.json)
                // Nothing Mistral refuses was forwarded.
                #expect(chats.allSatisfy { $0["stream_options"] == nil && $0["max_completion_tokens"] == nil && $0["seed"] == nil && $0["user"] == nil })
                #expect(chats.contains { $0["max_tokens"] == .int(50) && $0["random_seed"] == .int(7) })
                let ledger = try await world.store.entries(LedgerQuery())
                #expect(ledger.contains { $0.tags["user"] == "customer-42" })
                // The one-at-a-time key was refused once, then served after the SDK waited.
                let limited = ledger.filter { $0.keyID == world.keys["limited"]!.id }
                #expect(limited.contains { $0.status == 429 && $0.outcome == "key limit" })
            }
        }
    }
}
