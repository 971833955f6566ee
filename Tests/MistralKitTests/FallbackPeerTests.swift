import Foundation
import MistralEmulator
import MistralTestSupport
import Testing

@testable import MistralKit

/// Fallback to a real OpenAI-compatible server: llama.cpp running SmolLM2-135M, started by
/// scripts/test.sh (MISTRALKIT_LLAMA_URL). The primary upstream is the emulator failing with 503.
///
/// What a small model says differs from CPU to CPU, so these tests never check its words: the
/// fallback provider is reached through a ``RecordingProxy``, and each test checks that the answer
/// and the usage record are exactly what the server sent.
@Suite("Fallback to a real llama.cpp server")
struct FallbackPeerTests {
    static let llamaURL = ProcessInfo.processInfo.environment["MISTRALKIT_LLAMA_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"

    func withFailingPrimary(
        _ body: (MistralClient, InMemoryUsageLedger, MistralEmulator, RecordingProxy) async throws -> Void
    ) async throws {
        let llama = try #require(Self.llamaURL, "scripts/test.sh must export MISTRALKIT_LLAMA_URL")
        try await RecordingProxy.withRunning(upstream: llama) { proxyURL, proxy in
            let ledger = InMemoryUsageLedger()
            let configuration = EmulatorConfiguration(faultSchedule: [.status(503), .status(503), .status(503), .status(503)])
            try await withEmulatorClient(configuration: configuration, configure: {
                $0.fallbacks = [.provider(.openAICompatible(name: "local-llama", baseURL: proxyURL + "/v1"), model: "smollm2")]
                $0.usageLedger = ledger
            }) { client, emulator in
                try await body(client, ledger, emulator, proxy)
            }
        }
    }

    static let question = ChatCompletionRequest(
        model: "mistral-small-latest", messages: [.user("What is the capital of France?")], temperature: 0, maxTokens: 24,
        randomSeed: 1, safePrompt: false)

    /// The one exchange with the llama.cpp server, after checking it asked for the fallback model.
    func onlyExchange(_ proxy: RecordingProxy) throws -> RecordingProxy.Exchange {
        #expect(proxy.exchanges.count == 1)
        let exchange = try #require(proxy.exchanges.first)
        #expect(exchange.uri == "/v1/chat/completions")
        #expect(exchange.status == 200)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(exchange.requestBody)) as? [String: Any])
        #expect(body["model"] as? String == "smollm2")
        #expect(body["max_tokens"] as? Int == 24)
        return exchange
    }

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func aFailingMistralCallIsAnsweredByLlama() async throws {
        try await withFailingPrimary { client, ledger, emulator, proxy in
            let answer = try await client.chat(Self.question)
            #expect(answer.answeredBy?.upstream == "local-llama")
            #expect(answer.answeredBy?.skipped == ["mistral/mistral-small-latest: server error"])
            #expect(emulator.requestLog.count == 1)

            let exchange = try onlyExchange(proxy)
            let sent = try #require(exchange.chatText)
            #expect(!sent.isEmpty)
            #expect(answer.text == sent)
            let usage = try #require(exchange.usage)
            let record = try #require(ledger.records().first)
            #expect(ledger.records().count == 1)
            #expect(record.provider == "local-llama")
            #expect(!record.estimated)
            #expect(record.promptTokens == usage["prompt_tokens"] as? Int)
            #expect(record.completionTokens == usage["completion_tokens"] as? Int)
            #expect(record.promptTokens > 0 && record.completionTokens > 0)
        }
    }

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func aStreamFallsBackAndItsTokensAreStillCounted() async throws {
        try await withFailingPrimary { client, ledger, _, proxy in
            let stream = try await client.chatStream(Self.question)
            #expect(stream.answeredBy?.upstream == "local-llama")
            let answer = try await stream.collect()

            let exchange = try onlyExchange(proxy)
            let sent = try #require(exchange.chatText)
            #expect(!sent.isEmpty)
            #expect(answer.text == sent)
            let record = try #require(ledger.records().first)
            #expect(ledger.records().count == 1)
            #expect(record.provider == "local-llama")
            #expect(record.completionTokens > 0)
            if let usage = exchange.usage {
                // The server reported usage: the record is exactly that.
                #expect(!record.estimated)
                #expect(record.promptTokens == usage["prompt_tokens"] as? Int)
                #expect(record.completionTokens == usage["completion_tokens"] as? Int)
            } else {
                // llama.cpp's server sent no usage: the record is the client's estimate, and says so.
                #expect(answer.usage == nil)
                #expect(record.estimated)
            }
        }
    }
}
