import MistralKit

/// Scores text against Mistral's moderation categories by keywords.
///
/// A category scores between 0.9 and 0.99 (and is flagged) when the lower-cased text contains
/// one of its keywords, e.g. "kill" or "attack" for `violence_and_threats`, "bomb" for
/// `dangerous`, "steal" for `criminal`; otherwise it scores below 0.05. Scores are derived from
/// the text's hash, so the same text always gets the same numbers.
struct ModerationScorer: Sendable {
    /// Every category, as in Mistral's moderation v2 guardrail list.
    static let categories = [
        "sexual", "hate_and_discrimination", "violence_and_threats", "dangerous", "criminal", "selfharm", "health",
        "financial", "law", "pii", "jailbreaking",
    ]

    private static let keywords: [String: [String]] = [
        "sexual": ["sexual", "porn", "nude"],
        "hate_and_discrimination": ["hate", "racist", "inferior race"],
        "violence_and_threats": ["kill", "murder", "attack", "hurt you", "shoot"],
        "dangerous": ["bomb", "explosive", "weapon", "poison"],
        "criminal": ["steal", "robbery", "launder", "hack into"],
        "selfharm": ["suicide", "self-harm", "hurt myself"],
        "health": ["diagnosis", "medication", "symptom", "dosage"],
        "financial": ["invest", "stock tip", "loan", "crypto"],
        "law": ["lawsuit", "legal advice", "sue "],
        "pii": ["social security number", "passport number", "credit card number", "@"],
        "jailbreaking": ["ignore previous instructions", "ignore all previous", "jailbreak", "developer mode"],
    ]

    /// The moderation result for `text`.
    func moderate(_ text: String) -> ModerationResponse.ModerationResult {
        let lowered = text.lowercased()
        var flags: [String: Bool] = [:]
        var scores: [String: Double] = [:]
        for category in Self.categories {
            var hash = StableHash()
            hash.combine(category)
            hash.combine(lowered)
            let jitter = Double(hash.value % 1000) / 1000
            let hit = Self.keywords[category, default: []].contains { lowered.contains($0) }
            let score = hit ? 0.9 + jitter * 0.09 : jitter * 0.05
            scores[category] = (score * 10_000).rounded() / 10_000
            flags[category] = hit
        }
        return .init(categories: flags, categoryScores: scores)
    }

    /// The `/v1/classifications` answer for `text`: one target, `sentiment`, with `positive`,
    /// `negative` and `neutral` scores that sum to 1, from a small word list.
    func sentiment(_ text: String) -> [String: ClassificationResponse.TargetResult] {
        let words = text.lowercased().split { !$0.isLetter }
        let positive = Double(words.filter { Self.positiveWords.contains(String($0)) }.count)
        let negative = Double(words.filter { Self.negativeWords.contains(String($0)) }.count)
        let neutral = 1.0
        let total = positive * 2 + negative * 2 + neutral
        func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
        let scores = ["positive": rounded(positive * 2 / total), "negative": rounded(negative * 2 / total)]
        return ["sentiment": .init(scores: scores.merging(["neutral": rounded(1 - scores.values.reduce(0, +))]) { $1 })]
    }

    private static let positiveWords: Set<String> = ["good", "great", "love", "excellent", "happy", "thanks", "wonderful", "nice"]
    private static let negativeWords: Set<String> = ["bad", "terrible", "hate", "awful", "sad", "angry", "broken", "worst"]
}
