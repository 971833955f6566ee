import Foundation
import MistralTestSupport
import Testing

/// `mistral chat` against a real OpenAI-compatible LLM server: llama.cpp running SmolLM2-135M,
/// started by scripts/test.sh (MISTRALKIT_LLAMA_URL). Skipped only when run outside that script.
struct LlamaPeerTests {
    static let llamaURL = ProcessInfo.processInfo.environment["MISTRALKIT_LLAMA_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func streamedChatPrintsTheModelsAnswer() async throws {
        let url = try #require(Self.llamaURL, "scripts/test.sh must export MISTRALKIT_LLAMA_URL")
        let result = try await ProcessRunner.run(
            try ProcessRunner.builtProduct("mistral"),
            ["chat", "--base-url", url, "--model", "smollm2", "--temperature", "0", "--max-tokens", "32",
             "What is the capital of France?"],
            timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Paris"), "\(result.stdout)")
    }

    @Test(.enabled(if: llamaURL != nil || required, "set MISTRALKIT_LLAMA_URL (scripts/test.sh does)"))
    func nonStreamedJSONCarriesUsage() async throws {
        let url = try #require(Self.llamaURL)
        let result = try await ProcessRunner.run(
            try ProcessRunner.builtProduct("mistral"),
            ["chat", "--base-url", url, "--model", "smollm2", "--temperature", "0", "--max-tokens", "32", "--no-stream", "--json",
             "What is the capital of France?"],
            timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let usage = json?["usage"] as? [String: Any]
        #expect((usage?["prompt_tokens"] as? Int ?? 0) > 0)
        #expect((usage?["completion_tokens"] as? Int ?? 0) > 0)
        let choices = json?["choices"] as? [[String: Any]]
        let message = choices?.first?["message"] as? [String: Any]
        #expect((message?["content"] as? String)?.contains("Paris") == true)
    }
}
