extension ChatRequest {
    /// How much a v15 model should reason, rendered in `[MODEL_SETTINGS]`.
    ///
    /// Which values a model accepts, and the default when none is given, come from the tokenizer
    /// file's `model_settings_builder`.
    public enum ReasoningEffort: String, Sendable, Hashable, CaseIterable {
        /// No reasoning.
        case none
        /// A little reasoning.
        case minimal
        /// Light reasoning.
        case low
        /// Moderate reasoning.
        case medium
        /// Thorough reasoning.
        case high
        /// More than high.
        case xhigh
        /// As much as the model supports.
        case max
    }
}
