import Testing
@testable import MistralTokenizer

@Suite("The token estimate")
struct TokenEstimateTests {
    @Test("counts characters by class")
    func countsByClass() {
        #expect(TokenEstimate("").tokens == 0)
        #expect(TokenEstimate("abcdefghijklmn").tokens == 5)
        #expect(TokenEstimate("日本語").tokens == 5)
        #expect(TokenEstimate("été").tokens == 2)
        #expect(TokenEstimate(ChatRequest(messages: [.user("Hello there")])).tokens > TokenEstimate("Hello there").tokens)
    }

    @Test("stays within its documented error on the natural texts of the corpus",
          .referenceAvailable)
    func documentedError() throws {
        let fixtures = try ReferenceFixtures.get()
        let expected = try #require(fixtures.expectations["tekken_240718.json"]?["encoded"])
        guard case .array(let lists) = expected else { Issue.record("no ids"); return }
        var estimated = 0
        var actual = 0
        var errorSum = 0.0
        var worst = 0.0
        // Corpus texts 1...42 are the natural-language and code samples; the rest are stress cases.
        for index in 1...42 {
            let truth = try #require(lists[index].intArray).count
            let guess = TokenEstimate(fixtures.corpus[index]).tokens
            estimated += guess
            actual += truth
            let error = abs(Double(guess - truth)) / Double(max(truth, 1))
            errorSum += error
            worst = max(worst, error)
        }
        let totalError = Double(estimated - actual) / Double(actual)
        let meanError = errorSum / 42
        // The figures quoted in TokenEstimate's documentation.
        #expect(abs(totalError) <= 0.05, "total error \(totalError)")
        #expect(meanError <= 0.35, "mean error \(meanError)")
        #expect(worst <= 1.0, "worst error \(worst)")
    }
}
