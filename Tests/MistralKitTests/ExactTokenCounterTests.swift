import Foundation
import MistralTestSupport
import Testing

@testable import MistralKit

/// The client's exact token counting through MistralTokenizer, with the reference files that
/// scripts/setup-tokenizer-reference.sh prepares (MISTRALKIT_TOKENIZER_DIR).
@Suite("Exact token counting in the client")
struct ExactTokenCounterTests {
    static let directory = ProcessInfo.processInfo.environment["MISTRALKIT_TOKENIZER_DIR"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"

    func counter() throws -> ExactTokenCounter {
        let directory = try #require(Self.directory, "scripts/test.sh must export MISTRALKIT_TOKENIZER_DIR")
        return try ExactTokenCounter(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("tekken_240718.json"))
    }

    @Test(.enabled(if: directory != nil || required, "set MISTRALKIT_TOKENIZER_DIR (scripts/test.sh does)"))
    func aRequestThatCannotFitIsRefusedBeforeSending() async throws {
        let counter = try counter()
        let request = ChatCompletionRequest(model: "tiny", messages: [.user("What is the capital of France?")], maxTokens: 8)
        let prompt = try counter.promptTokens(for: request)
        #expect(prompt > 7 && prompt < 20)  // [INST] What is the capital of France? [/INST], with BOS
        let transport = ScriptedTransport { _, _ in Canned.json() }
        let client = scriptedClient(transport) {
            $0.tokenCounter = counter
            $0.contextWindows = ["tiny": prompt + 7]
        }
        let error = await #expect(throws: MistralError.self) { try await client.chat(request) }
        #expect(error?.kind == .contextOverflow)
        #expect(error?.message.contains("The prompt is \(prompt) tokens plus max_tokens 8") == true)
        #expect(transport.count == 0)
        var fits = request
        fits.maxTokens = 7
        _ = try await client.chat(fits)
        #expect(transport.count == 1)
    }

    @Test func anEstimateNeverRefusesAndAMissingFileIsAConfigurationError() async throws {
        let transport = ScriptedTransport { _, _ in Canned.json() }
        let client = scriptedClient(transport) { $0.contextWindows = ["tiny": 1] }
        _ = try await client.chat(ChatCompletionRequest(model: "tiny", messages: [.user("Hello there")], maxTokens: 8))
        #expect(transport.count == 1)
        let error = #expect(throws: MistralError.self) { try ExactTokenCounter(contentsOf: URL(fileURLWithPath: "/nonexistent/tekken.json")) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("/nonexistent/tekken.json") == true)
    }
}
