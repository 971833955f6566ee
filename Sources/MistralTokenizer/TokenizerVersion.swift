/// The generation of a Mistral tokenizer, which decides how chat requests are rendered.
///
/// Versions compare by number (`.v13 > .v7`), as mistral-common's `TokenizerVersion` does:
/// v1 plain `[INST]` turns; v2 tools; v3 tool call ids and tool results as JSON objects;
/// v7 `[SYSTEM_PROMPT]` blocks and `[TOOL_CONTENT]`; v11 `[ARGS]`/`[CALL_ID]` tool calls;
/// v13 no call ids, tools at the first user message, thinking chunks; v15 model settings.
public enum TokenizerVersion: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// `[INST] ... [/INST]` written as text; the system prompt joins the first user message.
    case v1 = 1
    /// Control tokens for instructions and tools; tools and the system prompt join the last user message.
    case v2 = 2
    /// Tool calls carry ids; tool results are `{"content", "call_id"}` objects.
    case v3 = 3
    /// System prompts in `[SYSTEM_PROMPT]` blocks; tool results as `[TOOL_RESULTS]id[TOOL_CONTENT]...`.
    case v7 = 7
    /// Tool calls as `[TOOL_CALLS]name[CALL_ID]id[ARGS]arguments`.
    case v11 = 11
    /// No call ids; tools at the first user message; thinking in `[THINK]`.
    case v13 = 13
    /// Model settings (reasoning effort, response schema) in `[MODEL_SETTINGS]`.
    case v15 = 15

    /// Reads a version string such as `"v7"`; `nil` for anything mistral-common does not define.
    public init?(name: String) {
        guard name.first == "v", let number = Int(name.dropFirst()), "v\(number)" == name,
              let version = TokenizerVersion(rawValue: number) else { return nil }
        self = version
    }

    /// The version string used in tokenizer files, such as `"v7"`.
    public var name: String { "v\(rawValue)" }

    /// The version string, such as `"v7"`.
    public var description: String { name }

    /// Whether `lhs` is an earlier version than `rhs`.
    public static func < (lhs: TokenizerVersion, rhs: TokenizerVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}
