import Foundation
import MistralTestSupport
import Testing

/// The `mistral` binary's own checks: bad flags and configuration fail fast, in one clear line,
/// before anything is sent.
struct CLIArgumentTests {
    func mistral(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), arguments, environment: environment)
    }

    @Test func missingKeyForMistralsAPIFailsWithAHint() async throws {
        let result = try await mistral(["chat", "Hello"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("No API key"))
        #expect(result.stderr.contains("MISTRAL_API_KEY"))
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [
        (["chat", "--temperature", "3", "hi"], "--temperature must be between 0 and 1.5"),
        (["chat", "--max-tokens", "0", "hi"], "--max-tokens must be at least 1"),
        (["chat", "--server", "mars", "hi"], "Unknown server 'mars'"),
        (["chat", "--server", "eu", "--base-url", "http://x", "hi"], "either --base-url or --server"),
        (["embed", "--dtype", "int4", "x"], "Unknown --dtype 'int4'"),
        (["chat", "   "], "The prompt is empty"),
    ])
    func badFlagsAreRejected(arguments: [String], message: String) async throws {
        let result = try await mistral(arguments, environment: ["MISTRAL_API_KEY": "k"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func anUnreachableServerIsOneConnectionErrorLine() async throws {
        let result = try await mistral(["chat", "--base-url", "http://127.0.0.1:9", "--api-key", "k", "--curl", "--retries", "0", "Hello"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first?.hasPrefix("curl -sS -X POST 'http://127.0.0.1:9/v1/chat/completions'") == true)
        #expect(lines.first?.contains("Bearer ***") == true)
        #expect(lines.last?.hasPrefix("error: Connection failed") == true, "\(result.stderr)")
        #expect(lines.count == 2)
    }
}
