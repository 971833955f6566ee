import Foundation
import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Chat completions")
struct ChatCompletionTests {
    @Test func cannedAnswerWithConsistentUsage() async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.chat(Fixtures.chat(Fixtures.capitalQuestion))
            #expect(response.text == Fixtures.capitalAnswer)
            #expect(response.object == "chat.completion")
            #expect(response.model == Fixtures.chatModel)
            #expect(Fixtures.isHexID(response.id))
            #expect(abs(response.created - Int(Date().timeIntervalSince1970)) < 60)
            #expect(response.choices.first?.finishReason == .stop)
            #expect(response.choices.first?.message.toolCalls == nil)
            let usage = try #require(response.usage)
            #expect(usage.promptTokens == 7)
            #expect(usage.promptTokens == TokenEstimator.count(Fixtures.capitalQuestion))
            #expect(usage.completionTokens == TokenEstimator.count(Fixtures.capitalAnswer))
            #expect(usage.totalTokens == usage.promptTokens + usage.completionTokens)
        }
    }

    @Test func answersAreDeterministicAndPlausible() async throws {
        try await withEmulatorClient { client, _ in
            let request = Fixtures.chat("How should I plan a small vegetable garden?")
            let first = try await client.chat(request)
            let second = try await client.chat(request)
            #expect(first.text == second.text)
            #expect(first.text.contains("How should I plan a small vegetable garden"))
            #expect(first.usage?.completionTokens == TokenEstimator.count(first.text))
            var texts = Set<String>()
            for seed in 0..<6 {
                var seeded = request
                seeded.randomSeed = seed
                texts.insert(try await client.chat(seeded).text)
            }
            #expect(texts.count > 1, "random_seed should change the answer")
        }
    }

    @Test func promptTokensCoverEveryMessage() async throws {
        try await withEmulatorClient { client, _ in
            let request = ChatCompletionRequest(
                model: Fixtures.chatModel,
                messages: [.system("Be brief."), .user("Hi!"), .assistant("Hello."), .user(Fixtures.capitalQuestion)])
            let response = try await client.chat(request)
            #expect(response.usage?.promptTokens == 3 + 2 + 2 + 7)
            #expect(response.usage?.promptTokens == TokenEstimator.promptTokens(for: request))
        }
    }

    @Test func maxTokensCutsWithFinishReasonLength() async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.chat(Fixtures.chat("Write 50 words", maxTokens: 10))
            #expect(response.choices.first?.finishReason == .length)
            #expect(response.usage?.completionTokens == 10)
            #expect(response.text.split(separator: " ").count == 10)
        }
    }

    @Test func stopSequenceEndsTheAnswer() async throws {
        try await withEmulatorClient { client, _ in
            var request = Fixtures.chat(Fixtures.capitalQuestion)
            request.stop = ["Paris", "Berlin"]
            let response = try await client.chat(request)
            #expect(response.text == "The capital of France is ")
            #expect(response.choices.first?.finishReason == .stop)
            #expect(response.usage?.completionTokens == 5)
        }
    }

    @Test func echoAndSeveralChoices() async throws {
        try await withEmulatorClient { client, _ in
            var request = Fixtures.chat("Echo: exactly this text")
            request.n = 2
            let response = try await client.chat(request)
            #expect(response.choices.map(\.index) == [0, 1])
            #expect(response.choices.allSatisfy { $0.message.content?.text == "exactly this text" })
            #expect(response.usage?.completionTokens == 6)
        }
    }

    @Test func unknownModelIsInvalidModel() async throws {
        try await withEmulatorClient { client, _ in
            let error = await Fixtures.mistralError { _ = try await client.chat(Fixtures.chat("Hi", model: "no-such-model")) }
            #expect(error?.status == 400)
            #expect(error?.kind == .badRequest)
            #expect(error?.type == "invalid_model")
            #expect(error?.code == "1500")
            #expect(error?.message == "Invalid model: no-such-model")
        }
    }

    @Test func embeddingModelCannotChat() async throws {
        try await withEmulatorClient { client, _ in
            let error = await Fixtures.mistralError { _ = try await client.chat(Fixtures.chat("Hi", model: "mistral-embed")) }
            #expect(error?.type == "invalid_model")
        }
    }

    @Test func lastAssistantMessageIsRefused() async throws {
        try await withEmulatorClient { client, _ in
            let request = ChatCompletionRequest(model: Fixtures.chatModel, messages: [.user("Hi"), .assistant("Hello")])
            let error = await Fixtures.mistralError { _ = try await client.chat(request) }
            #expect(error?.status == 400)
            #expect(error?.type == "invalid_request_message_order")
            #expect(error?.code == "3230")
            var prefixed = request
            prefixed.messages[1] = .assistant(AssistantMessage(content: "Hello", prefix: true))
            let continued = try await client.chat(prefixed)
            #expect(continued.choices.count == 1)
        }
    }

    @Test func jsonObjectAndJSONSchemaFormats() async throws {
        try await withEmulatorClient { client, _ in
            var request = Fixtures.chat("Answer in JSON: \(Fixtures.capitalQuestion)")
            request.responseFormat = .jsonObject
            let object = try JSONCoding.decode(JSONValue.self, from: Array(try await client.chat(request).text.utf8))
            #expect(object["answer"]?.stringValue != nil)

            let schema: JSONValue = [
                "type": "object",
                "properties": [
                    "title": ["type": "string", "minLength": 3],
                    "year": ["type": "integer", "minimum": 1900],
                    "tags": ["type": "array", "items": ["$ref": "#/$defs/Tag"], "minItems": 2],
                    "rating": ["anyOf": [["type": "null"], ["type": "number", "maximum": 0.5]]],
                ],
                "required": ["title", "year", "tags", "rating"],
                "$defs": ["Tag": ["type": "string", "enum": ["drama", "comedy"]]],
                "additionalProperties": false,
            ]
            request.responseFormat = .jsonSchema(name: "Movie", schema: schema)
            let movie = try JSONCoding.decode(JSONValue.self, from: Array(try await client.chat(request).text.utf8))
            #expect((movie["title"]?.stringValue?.count ?? 0) >= 3)
            #expect(movie["year"] == .int(1900))
            #expect(movie["tags"] == ["drama", "drama"])
            #expect((movie["rating"]?.doubleValue ?? 1) <= 0.5)
        }
    }
}
