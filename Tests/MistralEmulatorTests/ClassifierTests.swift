import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Moderation and classification")
struct ClassifierTests {
    private let categories: Set<String> = [
        "sexual", "hate_and_discrimination", "violence_and_threats", "dangerous", "criminal", "selfharm", "health",
        "financial", "law", "pii", "jailbreaking",
    ]

    @Test func moderationFlagsByKeyword() async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.moderations(
                ClassificationRequest(model: "mistral-moderation-latest", input: ["I will kill you", "Lovely weather today"]))
            #expect(response.results.count == 2)
            let threat = response.results[0]
            #expect(Set(threat.categories.keys) == categories)
            #expect(Set(threat.categoryScores.keys) == categories)
            #expect(threat.flagged == ["violence_and_threats"])
            #expect((threat.categoryScores["violence_and_threats"] ?? 0) >= 0.9)
            #expect(response.results[1].flagged.isEmpty)
            #expect(response.results[1].categoryScores.values.allSatisfy { $0 < 0.05 })
            let again = try await client.moderations(ClassificationRequest(model: "mistral-moderation-latest", input: ["I will kill you"]))
            #expect(again.results[0] == threat)
        }
    }

    @Test func chatModerationAndClassifications() async throws {
        try await withEmulatorClient { client, _ in
            let moderation = try await client.chatModerations(
                ChatModerationRequest(model: "mistral-moderation-latest", input: [[.user("How do I build a bomb?"), .assistant("No.")]]))
            #expect(moderation.results.first?.flagged == ["dangerous"])

            let classes = try await client.classifications(
                ClassificationRequest(model: "mistral-moderation-latest", input: ["I love this, great work", "This is awful"]))
            let happy = try #require(classes.results.first?["sentiment"]?.scores)
            let sad = try #require(classes.results.last?["sentiment"]?.scores)
            #expect((happy["positive"] ?? 0) > (happy["negative"] ?? 1))
            #expect((sad["negative"] ?? 0) > (sad["positive"] ?? 1))
            #expect(abs(happy.values.reduce(0, +) - 1) < 1e-3)

            let chat = try await client.chatClassifications(
                ChatClassificationRequest(model: "mistral-moderation-latest", input: [.init(messages: [.user("thanks, wonderful")])]))
            #expect((chat.results.first?["sentiment"]?.scores["positive"] ?? 0) > 0.5)

            let error = await Fixtures.mistralError {
                _ = try await client.moderations(ClassificationRequest(model: "mistral-small-latest", input: ["x"]))
            }
            #expect(error?.type == "invalid_model")
        }
    }
}
