import Foundation
import Synchronization
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

    /// A counter that counts how often the client asks it for a prompt's tokens.
    final class CountingCounter: TokenCounting, @unchecked Sendable {
        let calls = Mutex(0)
        var isExact: Bool { false }
        func tokens(in text: String) -> Int { text.count / 4 }
        func promptTokens(for request: ChatCompletionRequest) throws -> Int {
            calls.withLock { $0 += 1 }
            return 10
        }
    }

    /// Counting a prompt costs microseconds per call: the client counts only when a budget, a
    /// token rate limit or an exact context check needs the number, and then once.
    @Test func thePromptIsCountedOnlyWhenSomethingNeedsIt() async throws {
        let request = ChatCompletionRequest(model: "tiny", messages: [.user("Hello there")], maxTokens: 8)
        let plain = CountingCounter()
        let transport = ScriptedTransport { _, _ in Canned.json() }
        _ = try await scriptedClient(transport) { $0.tokenCounter = plain }.chat(request)
        #expect(plain.calls.withLock { $0 } == 0)

        let budgeted = CountingCounter()
        let budget = Budget(hardLimitUSD: 100)
        _ = try await scriptedClient(transport) {
            $0.tokenCounter = budgeted
            $0.budget = budget
            $0.rateLimiter = RateLimiter(limits: RateLimits(tokensPerMinute: 1_000_000))
        }.chat(request)
        #expect(budgeted.calls.withLock { $0 } == 1)
        #expect(transport.count == 2)
    }
}
