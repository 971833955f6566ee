import MistralKit

/// The emulator's token count: one token per word and one per punctuation mark or symbol.
///
/// A *word* is a maximal run of letters, digits and underscores; every other visible character is a token of
/// its own; whitespace is free. `"What is the capital of France?"` is 7 tokens. The count is
/// additive over concatenation at whitespace, so a prompt's count is the sum of its parts.
/// Real tokenizers differ (see MistralTokenizer for exact counts); this one is simple enough
/// that tests can predict `usage` exactly, and the emulator uses it for prompts, completions,
/// context-window checks and token rate limits alike.
public enum TokenEstimator {
    /// The number of tokens in `text`.
    public static func count(_ text: String) -> Int {
        var tokens = 0
        var inWord = false
        for character in text {
            if isWordCharacter(character) {
                if !inWord { tokens += 1 }
                inWord = true
            } else {
                inWord = false
                if !character.isWhitespace { tokens += 1 }
            }
        }
        return tokens
    }

    /// `text` cut into one piece per token, each with the whitespace before it; trailing
    /// whitespace stays on the last piece, so the pieces joined are exactly `text`. Streams
    /// send one piece per chunk, and `max_tokens` keeps the first pieces.
    public static func pieces(of text: String) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var previousWasWord = false
        var sawToken = false
        while index < text.endIndex {
            let character = text[index]
            let isWord = isWordCharacter(character)
            let startsToken = !character.isWhitespace && !(isWord && previousWasWord)
            if startsToken {
                if sawToken {
                    let boundary = tokenStart(in: text, from: start, before: index)
                    pieces.append(text[start..<boundary])
                    start = boundary
                }
                sawToken = true
            }
            previousWasWord = isWord
            index = text.index(after: index)
        }
        if sawToken { pieces.append(text[start...]) }
        return pieces
    }

    /// Prompt tokens of a chat request: every message's text (content, reasoning, tool call
    /// names and arguments, tool names) and every function tool's name, description and
    /// parameter schema (as compact JSON).
    public static func promptTokens(for request: ChatCompletionRequest) -> Int {
        var total = request.messages.reduce(0) { $0 + count(promptText(of: $1)) }
        for tool in request.tools ?? [] {
            guard let function = tool.function else { continue }
            total += count(function.name) + count(function.description ?? "") + count(function.parameters.jsonString)
        }
        return total
    }

    /// The text of `message` that counts toward the prompt.
    static func promptText(of message: ChatMessage) -> String {
        var parts = [message.content?.text ?? "", message.content?.thinkingText ?? ""]
        switch message {
        case .assistant(let assistant):
            for call in assistant.toolCalls ?? [] { parts += [call.function.name, call.function.arguments] }
        case .tool(_, _, let name):
            parts.append(name ?? "")
        default:
            break
        }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// Where the piece that owns the token at `token` begins: right after the previous token's
    /// last visible character, so whitespace travels with the token that follows it.
    private static func tokenStart(in text: String, from start: String.Index, before token: String.Index) -> String.Index {
        var boundary = token
        while boundary > start {
            let previous = text.index(before: boundary)
            if !text[previous].isWhitespace { break }
            boundary = previous
        }
        return boundary
    }
}
