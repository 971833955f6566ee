import Foundation
import MistralTestSupport
import Testing

/// `mistral chat` against a real OpenAI-compatible LLM server: llama.cpp running SmolLM2-135M,
/// started by scripts/test.sh (MISTRALKIT_LLAMA_URL). Skipped only when run outside that script.
///
/// What a small model says differs from CPU to CPU, so these tests never check its words: the CLI
/// talks to the server through a ``RecordingProxy``, and each test checks that what the CLI printed
/// is exactly what the server sent, and that the request was the one asked for.
struct LlamaPeerTests {
    static let llamaURL = ProcessInfo.processInfo.environment["MISTRALKIT_LLAMA_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"
    static let question = "What is the capital of France?"

    /// Runs `mistral chat` with `arguments` through a recording proxy in front of the llama.cpp server,
    /// and returns the process's result with the one exchange it made.
    func chatThroughProxy(_ arguments: [String]) async throws -> (ProcessResult, RecordingProxy.Exchange) {
        let url = try #require(Self.llamaURL, "scripts/test.sh must export MISTRALKIT_LLAMA_URL")
        return try await RecordingProxy.withRunning(upstream: url) { proxyURL, proxy in
            let result = try await ProcessRunner.run(
                try ProcessRunner.builtProduct("mistral"),
                ["chat", "--base-url", proxyURL, "--model", "smollm2", "--temperature", "0", "--max-tokens", "32"]
                    + arguments + [Self.question],
                timeout: .seconds(120))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(proxy.exchanges.count == 1)
            return (result, try #require(proxy.exchanges.first))
        }
    }

    /// The request body the CLI sent, checked against the flags it was given.
    func expectRequestAsAsked(_ exchange: RecordingProxy.Exchange, stream: Bool) throws {
        #expect(exchange.method == "POST")
        #expect(exchange.uri == "/v1/chat/completions")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(exchange.requestBody)) as? [String: Any])
        #expect(body["model"] as? String == "smollm2")
        #expect(body["temperature"] as? Double == 0)
        #expect(body["max_tokens"] as? Int == 32)
        #expect((body["stream"] as? Bool ?? false) == stream)
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.last?["role"] as? String == "user")
        #expect(messages.last?["content"] as? String == Self.question)
    }

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func streamedChatPrintsExactlyWhatTheServerSent() async throws {
        let (result, exchange) = try await chatThroughProxy([])
        try expectRequestAsAsked(exchange, stream: true)
        #expect(exchange.status == 200)
        let sent = try #require(exchange.chatText, "no chunks in \(String(decoding: exchange.responseBody, as: UTF8.self))")
        #expect(!sent.isEmpty)
        #expect(exchange.finishReason != nil)
        #expect(result.stdout == sent + "\n")
    }

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func nonStreamedJSONCarriesTheServersAnswerAndUsage() async throws {
        let (result, exchange) = try await chatThroughProxy(["--no-stream", "--json"])
        try expectRequestAsAsked(exchange, stream: false)
        #expect(exchange.status == 200)
        let sent = try #require(exchange.chatText)
        let sentUsage = try #require(exchange.usage)
        #expect(!sent.isEmpty)

        let printed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let choice = try #require((printed["choices"] as? [[String: Any]])?.first)
        #expect((choice["message"] as? [String: Any])?["content"] as? String == sent)
        #expect(choice["finish_reason"] as? String == exchange.finishReason)
        let usage = try #require(printed["usage"] as? [String: Any])
        for field in ["prompt_tokens", "completion_tokens", "total_tokens"] {
            #expect(usage[field] as? Int == sentUsage[field] as? Int, "\(field)")
        }
        let prompt = try #require(usage["prompt_tokens"] as? Int)
        let completion = try #require(usage["completion_tokens"] as? Int)
        #expect(prompt > 0 && completion > 0 && completion <= 32)
        #expect(usage["total_tokens"] as? Int == prompt + completion)
    }
}
