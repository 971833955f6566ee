import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Fill in the middle")
struct FIMTests {
    @Test func cannedFIMAnswer() async throws {
        try await withEmulatorClient { client, _ in
            let request = FIMCompletionRequest(
                model: "codestral-latest", prompt: "def fibonacci(n: int):", suffix: "\nprint(fibonacci(10))")
            let response = try await client.fim(request)
            #expect(response.text.contains("return fibonacci(n - 1) + fibonacci(n - 2)"))
            #expect(response.object == "chat.completion")
            #expect(response.usage?.promptTokens == TokenEstimator.count(request.prompt) + TokenEstimator.count(request.suffix ?? ""))
            #expect(response.usage?.completionTokens == TokenEstimator.count(response.text))
            let streamed = try await client.fimStream(request).collect()
            #expect(streamed.text == response.text)
            #expect(streamed.usage == response.usage)
        }
    }

    @Test func chatOnlyModelCannotFIM() async throws {
        try await withEmulatorClient { client, _ in
            let error = await Fixtures.mistralError {
                _ = try await client.fim(FIMCompletionRequest(model: "mistral-small-latest", prompt: "def f():"))
            }
            #expect(error?.type == "invalid_model")
        }
    }
}
