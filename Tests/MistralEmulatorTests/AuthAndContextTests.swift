import Foundation
import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Authentication, context window and common headers")
struct AuthAndContextTests {
    @Test func missingKeyIs401WithRequestID() async throws {
        try await withEmulator { baseURL, _ in
            let response = try await sendRaw("GET", baseURL + "/v1/models", apiKey: nil)
            #expect(response.status == 401)
            let correlation = try #require(response.header("mistral-correlation-id"))
            #expect(response.json == ["message": "Unauthorized", "request_id": .string(correlation)])
            try await withClient(baseURL: baseURL, apiKey: nil) { client in
                let error = await Fixtures.mistralError { _ = try await client.listModels() }
                #expect(error?.kind == .authentication)
                #expect(error?.status == 401)
                #expect(error?.requestID != nil)
            }
        }
    }

    @Test func onlyConfiguredKeysAreAccepted() async throws {
        try await withEmulator(configuration: .init(acceptedAPIKeys: ["good-key"])) { baseURL, _ in
            try await withClient(baseURL: baseURL, apiKey: "bad-key") { client in
                let error = await Fixtures.mistralError { _ = try await client.listModels() }
                #expect(error?.kind == .authentication)
            }
            try await withClient(baseURL: baseURL, apiKey: "good-key") { client in
                let models = try await client.listModels()
                #expect(!models.isEmpty)
            }
        }
    }

    @Test func promptPlusMaxTokensMustFitTheContext() async throws {
        try await withEmulatorClient { client, _ in
            let request = Fixtures.chat(Fixtures.capitalQuestion, model: EmulatorModels.tinyTestModelID, maxTokens: 100)
            let error = await Fixtures.mistralError { _ = try await client.chat(request) }
            #expect(error?.status == 400)
            #expect(error?.kind == .contextOverflow)
            #expect(error?.code == "3051")
            #expect(error?.message == "Prompt contains 7 tokens and max_tokens is 100, too large for model with 64 maximum context length")
        }
    }

    @Test func withoutMaxTokensTheAnswerFillsTheRestOfTheContext() async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.chat(Fixtures.chat("Write 100 words", model: EmulatorModels.tinyTestModelID))
            #expect(response.usage?.promptTokens == 3)
            #expect(response.usage?.completionTokens == 61)
            #expect(response.choices.first?.finishReason == .length)
        }
    }

    @Test func everyAnswerCarriesACorrelationID() async throws {
        try await withEmulator { baseURL, _ in
            for (method, path) in [("GET", "/v1/models"), ("GET", "/v1/nothing-here"), ("POST", "/v1/chat/completions")] {
                let response = try await sendRaw(method, baseURL + path, body: method == "POST" ? "{}" : nil)
                let id = try #require(response.header("mistral-correlation-id"))
                #expect(UUID(uuidString: id) != nil)
                #expect(response.header("x-ratelimit-limit-tokens-minute") == nil)
            }
            let missing = try await sendRaw("GET", baseURL + "/v1/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.json == ["detail": "Not Found"])
        }
    }
}
