import Foundation
import MistralEmulator
import MistralTestSupport
import Testing

@testable import MistralKit

/// Fallback to a real OpenAI-compatible server: llama.cpp running SmolLM2-135M, started by
/// scripts/test.sh (MISTRALKIT_LLAMA_URL). The primary upstream is the emulator failing with 503.
@Suite("Fallback to a real llama.cpp server")
struct FallbackPeerTests {
    static let llamaURL = ProcessInfo.processInfo.environment["MISTRALKIT_LLAMA_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"

    func withFailingPrimary(_ body: (MistralClient, InMemoryUsageLedger, MistralEmulator) async throws -> Void) async throws {
        let llama = try #require(Self.llamaURL, "scripts/test.sh must export MISTRALKIT_LLAMA_URL")
        let ledger = InMemoryUsageLedger()
        let configuration = EmulatorConfiguration(faultSchedule: [.status(503), .status(503), .status(503), .status(503)])
        try await withEmulatorClient(configuration: configuration, configure: {
            $0.fallbacks = [.provider(.openAICompatible(name: "local-llama", baseURL: llama + "/v1"), model: "smollm2")]
            $0.usageLedger = ledger
        }) { client, emulator in
            try await body(client, ledger, emulator)
        }
    }

    static let question = ChatCompletionRequest(
        model: "mistral-small-latest", messages: [.user("What is the capital of France?")], temperature: 0, maxTokens: 24,
        randomSeed: 1, safePrompt: false)

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func aFailingMistralCallIsAnsweredByLlama() async throws {
        try await withFailingPrimary { client, ledger, emulator in
            let answer = try await client.chat(Self.question)
            #expect(answer.text.contains("Paris"), "\(answer.text)")
            #expect(answer.answeredBy?.upstream == "local-llama")
            #expect(answer.answeredBy?.skipped == ["mistral/mistral-small-latest: server error"])
            #expect(emulator.requestLog.count == 1)
            let record = try #require(ledger.records().first)
            #expect(record.provider == "local-llama")
            #expect(record.promptTokens > 0 && record.completionTokens > 0 && !record.estimated)
        }
    }

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func aStreamFallsBackAndItsTokensAreStillCounted() async throws {
        try await withFailingPrimary { client, ledger, _ in
            let stream = try await client.chatStream(Self.question)
            #expect(stream.answeredBy?.upstream == "local-llama")
            let answer = try await stream.collect()
            #expect(answer.text.contains("Paris"), "\(answer.text)")
            // llama.cpp's server sends no usage in streams: the record is the client's estimate.
            let record = try #require(ledger.records().first)
            #expect(record.provider == "local-llama")
            #expect(record.completionTokens > 0)
            #expect(record.estimated == (answer.usage == nil))
        }
    }
}
