/// Context windows (prompt plus completion, in tokens) of Mistral's models, by id and alias,
/// from Mistral's model data files as of 2026-08-13. A model's live `max_context_length` from
/// `/v1/models` is authoritative: put it in ``MistralClient/Configuration/contextWindows``.
public enum ContextWindows {
    private static let k256 = 262_144
    private static let k128 = 131_072

    public static let mistral: [String: Int] = [
        "mistral-large-2512": k256, "mistral-large-latest": k256,
        "mistral-medium-3-5": k256, "mistral-medium-3": k256, "mistral-medium-latest": k256,
        "mistral-small-2603": k256, "mistral-small-latest": k256,
        "ministral-14b-2512": k256, "ministral-14b-latest": k256,
        "ministral-8b-2512": k256, "ministral-8b-latest": k256,
        "ministral-3b-2512": k256, "ministral-3b-latest": k256,
        "codestral-2508": k128, "codestral-latest": k128,
        "codestral-embed-2505": 8192, "codestral-embed": 8192,
        "mistral-embed-2312": 8192, "mistral-embed": 8192,
        "mistral-moderation-2603": k128,
        "voxtral-small-2507": 32_768, "voxtral-small-latest": 32_768,
        "labs-leanstral-1-5": k256,
        "zai-glm-5-2": 1_048_576,
        "mistral-medium-2508": k128, "mistral-medium-2505": k128,
        "magistral-medium-2509": k128, "magistral-medium-latest": k128,
        "magistral-small-2509": k128, "magistral-small-latest": k128,
        "devstral-2512": k256, "devstral-latest": k256, "devstral-medium-latest": k256,
        "mistral-small-2506": k128, "open-mistral-nemo": k128, "open-mistral-nemo-2407": k128,
        "mistral-large-2411": k128, "pixtral-large-2411": k128, "pixtral-large-latest": k128, "pixtral-12b-2409": k128,
        "ministral-8b-2410": k128, "ministral-3b-2410": k128, "mistral-moderation-2411": 8192,
    ]
}
