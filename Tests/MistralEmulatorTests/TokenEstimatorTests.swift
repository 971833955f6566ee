import MistralEmulator
import MistralKit
import Testing

@Suite("Token estimator")
struct TokenEstimatorTests {
    @Test(arguments: [
        ("What is the capital of France?", 7), ("", 0), ("   ", 0), ("don't", 3), ("get_weather(city: \"Paris\")", 8),
        ("1.5 million", 4), ("naïve café ☕", 3),
    ])
    func counts(text: String, expected: Int) {
        #expect(TokenEstimator.count(text) == expected)
    }

    @Test(arguments: ["The capital of France is Paris.", "  leading and trailing  \n", "\n    return a + b\n", "one", "a,b;;c"])
    func piecesRebuildTheText(text: String) {
        let pieces = TokenEstimator.pieces(of: text)
        #expect(pieces.joined() == text)
        #expect(pieces.count == TokenEstimator.count(text))
        #expect(pieces.allSatisfy { TokenEstimator.count(String($0)) == 1 })
    }

    @Test func promptTokensIncludeTools() {
        let request = ChatCompletionRequest(model: "m", messages: [.user("Hi")], tools: [Fixtures.weatherTool])
        let function = Fixtures.weatherTool.function!
        let expected = 1 + TokenEstimator.count(function.name) + TokenEstimator.count(function.description ?? "")
            + TokenEstimator.count(function.parameters.jsonString)
        #expect(TokenEstimator.promptTokens(for: request) == expected)
    }
}
