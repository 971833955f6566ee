/// The names of the control tokens that chat rendering places around content.
///
/// The ids behind these names differ between files; look them up with
/// ``Tokenizer/specialTokenID(_:)``.
public enum SpecialTokenName: String, Sendable, Hashable, CaseIterable {
    /// The unknown token.
    case unknown = "<unk>"
    /// Begins every rendered request.
    case beginOfSequence = "<s>"
    /// Ends every assistant turn.
    case endOfSequence = "</s>"
    /// Opens a user turn.
    case beginInstruction = "[INST]"
    /// Closes a user turn.
    case endInstruction = "[/INST]"
    /// Opens the tool definitions.
    case beginAvailableTools = "[AVAILABLE_TOOLS]"
    /// Closes the tool definitions.
    case endAvailableTools = "[/AVAILABLE_TOOLS]"
    /// Opens a tool result.
    case beginToolResults = "[TOOL_RESULTS]"
    /// Closes a tool result.
    case endToolResults = "[/TOOL_RESULTS]"
    /// Starts the assistant's tool calls.
    case toolCalls = "[TOOL_CALLS]"
    /// One image patch.
    case image = "[IMG]"
    /// Padding.
    case padding = "<pad>"
    /// Ends a row of image patches.
    case imageBreak = "[IMG_BREAK]"
    /// Ends an image.
    case imageEnd = "[IMG_END]"
    /// Starts the code before the gap in fill-in-the-middle.
    case prefix = "[PREFIX]"
    /// Marks the gap in fill-in-the-middle.
    case middle = "[MIDDLE]"
    /// Starts the code after the gap in fill-in-the-middle.
    case suffix = "[SUFFIX]"
    /// Opens a system prompt (v7 and later).
    case beginSystem = "[SYSTEM_PROMPT]"
    /// Closes a system prompt (v7 and later).
    case endSystem = "[/SYSTEM_PROMPT]"
    /// Separates a tool result's call id from its content (v7, v11).
    case beginToolContent = "[TOOL_CONTENT]"
    /// Starts a tool call's arguments (v11 and later).
    case arguments = "[ARGS]"
    /// Starts a tool call's id (v11).
    case callID = "[CALL_ID]"
    /// Opens a thinking chunk (v13 and later).
    case beginThink = "[THINK]"
    /// Closes a thinking chunk.
    case endThink = "[/THINK]"
    /// Opens the model settings (v15).
    case beginModelSettings = "[MODEL_SETTINGS]"
    /// Closes the model settings (v15).
    case endModelSettings = "[/MODEL_SETTINGS]"
}
