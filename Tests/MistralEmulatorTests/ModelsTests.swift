import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Models")
struct ModelsTests {
    @Test func listHasCurrentModelsWithContextLengths() async throws {
        try await withEmulatorClient { client, _ in
            let models = try await client.listModels()
            func card(_ name: String) -> ModelCard? { models.first { $0.id == name || ($0.aliases ?? []).contains(name) } }
            #expect(card("mistral-small-latest")?.maxContextLength == 262_144)
            #expect(card("codestral-latest")?.capabilities.completionFIM == true)
            #expect(card("mistral-embed")?.maxContextLength == 8_192)
            #expect(card("mistral-moderation-latest")?.capabilities.moderation == true)
            #expect(card("ministral-8b-latest")?.capabilities.completionChat == true)
            #expect(card(EmulatorModels.tinyTestModelID)?.maxContextLength == 64)
            #expect(card(EmulatorModels.fineTunedModelID)?.type == "fine-tuned")
            #expect(models.allSatisfy { $0.type == "base" || $0.type == "fine-tuned" })
        }
    }

    @Test func retrieveByAliasAndUnknown() async throws {
        try await withEmulatorClient { client, _ in
            let card = try await client.retrieveModel(id: "mistral-large-latest")
            #expect(card.id == "mistral-large-2512")
            let error = await Fixtures.mistralError { _ = try await client.retrieveModel(id: "gpt-4o") }
            #expect(error?.kind == .notFound)
        }
    }

    @Test func deleteRulesFollowMistral() async throws {
        try await withEmulatorClient { client, _ in
            let base = await Fixtures.mistralError { _ = try await client.deleteModel(id: "mistral-small-latest") }
            #expect(base?.status == 403)
            #expect(base?.kind == .permissionDenied)
            let deleted = try await client.deleteModel(id: EmulatorModels.fineTunedModelID)
            #expect(deleted == DeletedModel(id: EmulatorModels.fineTunedModelID, object: "model", deleted: true))
            let again = await Fixtures.mistralError { _ = try await client.deleteModel(id: EmulatorModels.fineTunedModelID) }
            #expect(again?.kind == .notFound)
            #expect(try await client.listModels().contains { $0.id == EmulatorModels.fineTunedModelID } == false)
        }
    }
}
