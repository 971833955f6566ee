import MistralKit

/// The models the emulator serves by default: Mistral's current models (ids, aliases, context
/// windows and capabilities per the API notes, section 10.1), one fine-tuned model that can be
/// deleted, and `mistral-tiny-test`, a 64-token model for context-window tests.
public enum EmulatorModels {
    /// The id of the built-in fine-tuned model (deletable once per emulator instance).
    public static let fineTunedModelID = "ft:ministral-8b-latest:emulator:20260101:a1b2c3d4"

    /// The id of the 64-token test model.
    public static let tinyTestModelID = "mistral-tiny-test"

    /// Every built-in model card.
    public static let defaultCards: [ModelCard] = [
        chat("mistral-large-2512", aliases: ["mistral-large-latest"], context: 262_144, name: "Mistral Large 3", vision: true),
        chat(
            "mistral-medium-3-5", aliases: ["mistral-medium-3", "mistral-medium-latest"], context: 262_144, name: "Mistral Medium 3.5",
            vision: true, reasoning: true),
        chat(
            "mistral-small-2603", aliases: ["mistral-small-latest"], context: 262_144, name: "Mistral Small 4", vision: true,
            reasoning: true),
        chat("ministral-14b-2512", aliases: ["ministral-14b-latest"], context: 262_144, name: "Ministral 3 14B"),
        chat("ministral-8b-2512", aliases: ["ministral-8b-latest"], context: 262_144, name: "Ministral 3 8B"),
        chat("ministral-3b-2512", aliases: ["ministral-3b-latest"], context: 262_144, name: "Ministral 3 3B"),
        chat("codestral-2508", aliases: ["codestral-latest"], context: 131_072, name: "Codestral", fim: true, temperature: 0.7),
        ModelCard(
            id: "mistral-embed-2312", created: created, capabilities: .init(), name: "Mistral Embed",
            description: "Text embeddings, 1024 dimensions.", maxContextLength: 8_192, aliases: ["mistral-embed"]),
        ModelCard(
            id: "codestral-embed-2505", created: created, capabilities: .init(), name: "Codestral Embed",
            description: "Code embeddings, 1536 dimensions by default, up to 3072.", maxContextLength: 8_192,
            aliases: ["codestral-embed"]),
        ModelCard(
            id: "mistral-moderation-2603", created: created, capabilities: .init(classification: true, moderation: true),
            name: "Mistral Moderation 2", description: "Moderation classifier.", maxContextLength: 131_072,
            aliases: ["mistral-moderation-latest"]),
        ModelCard(
            id: "mistral-ocr-2512", created: created, capabilities: .init(ocr: true), name: "Mistral OCR 3",
            description: "Documents and images read into Markdown.", maxContextLength: 16_384, aliases: ["mistral-ocr-latest"]),
        chat(tinyTestModelID, aliases: [], context: 64, name: "Emulator tiny test model"),
        ModelCard(
            id: fineTunedModelID, created: created, ownedBy: "emulator",
            capabilities: .init(completionChat: true, functionCalling: true, fineTuning: true), name: "Emulator fine-tuned model",
            description: "A fine-tuned Ministral 8B; the emulator's only deletable model.", maxContextLength: 262_144, aliases: [],
            defaultModelTemperature: 0.3, type: "fine-tuned", job: "00000000-0000-4000-8000-00000000f1e7",
            root: "ministral-8b-2512", archived: false),
    ]

    /// Default output dimension of each embedding model (canonical ids and aliases).
    public static let defaultEmbeddingDimensions: [String: Int] = [
        "mistral-embed": 1024, "mistral-embed-2312": 1024, "codestral-embed": 1536, "codestral-embed-2505": 1536,
    ]

    /// 2026-01-01T00:00:00Z, the `created` of every built-in card.
    private static let created = 1_767_225_600

    private static func chat(
        _ id: String, aliases: [String], context: Int, name: String, vision: Bool = false, reasoning: Bool = false,
        fim: Bool = false, temperature: Double = 0.3
    ) -> ModelCard {
        ModelCard(
            id: id, created: created,
            capabilities: .init(
                completionChat: true, completionFIM: fim, functionCalling: true, reasoning: reasoning, fineTuning: !fim,
                vision: vision),
            name: name, description: "\(name), emulated.", maxContextLength: context, aliases: aliases,
            defaultModelTemperature: temperature)
    }
}
