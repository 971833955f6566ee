/// A token count guessed from the characters of a text, for models whose tokenizer file is not
/// at hand.
///
/// Counts ASCII characters at 2.8 per token, CJK ideographs, kana, Hangul and full-width forms at
/// 1.5 tokens each, and every other character at 0.8 tokens, rounding up. The weights were fitted
/// to tekken (`tekken_240718.json`) on the 42 natural-language and code texts of the exactness
/// corpus (`scripts/tokenizer-fixtures.py`: English, French, German, Spanish, Russian, Greek,
/// Arabic, Hebrew, Hindi, Bengali, Thai, Chinese, Japanese, Korean, Vietnamese, emoji, Python,
/// Swift, JSON, HTML, SQL, shell): measured there, the total is 4.7 % under the true count, the
/// mean error per text is 34 %, and the worst single text is off by 100 % (a short emoji line).
///
/// On text it was not fitted on it runs high. On 154 held-out texts of about 1,200 characters
/// (`scripts/heldout-texts.py`: licence prose, Python, C, Swift and shell code, JSON, GLib's
/// messages in 26 languages) the total is 51 % over the true count, the mean error per text 57 %
/// and the worst 158 % (Russian); English prose is 62 % over, code 34 %, JSON 2 % under, the other
/// languages 68 % over (26 % to 146 %). The fitted texts are short and dense with punctuation, at
/// about 2.8 ASCII characters a token, where English prose takes 4.5. Read it as an upper bound,
/// roughly one and a half times the true count on long natural text, and expect far more error on
/// degenerate input (long runs of one character compress to very few tekken tokens). Prefer
/// ``Tokenizer`` whenever the tokenizer file is available: it is exact.
public struct TokenEstimate: Sendable, Hashable {
    /// ASCII characters per token.
    public static let asciiCharactersPerToken = 2.8
    /// Tokens per CJK ideograph, kana, Hangul syllable or full-width form.
    public static let tokensPerWideCharacter = 1.5
    /// Tokens per other non-ASCII character.
    public static let tokensPerOtherCharacter = 0.8

    /// The estimated number of tokens.
    public let tokens: Int

    /// Estimates the tokens of `text`.
    public init(_ text: String) {
        var ascii = 0
        var wide = 0
        var other = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: ascii += 1
            case 0x2E80...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF00...0xFFEF, 0x20000...: wide += 1
            default: other += 1
            }
        }
        let estimate = Double(ascii) / TokenEstimate.asciiCharactersPerToken
            + Double(wide) * TokenEstimate.tokensPerWideCharacter + Double(other) * TokenEstimate.tokensPerOtherCharacter
        tokens = Int(estimate.rounded(.up))
    }

    /// Estimates a chat request: the text of every message, tool call and tool definition, plus
    /// a few tokens per message for the control tokens around it.
    public init(_ request: ChatRequest) {
        var total = 1
        for message in request.messages {
            total += 2
            switch message.content {
            case .text(let text)?: total += TokenEstimate(text).tokens
            case .chunks(let chunks)?:
                for chunk in chunks {
                    switch chunk {
                    case .text(let text), .thinking(let text, _): total += TokenEstimate(text).tokens + 1
                    }
                }
            case nil: break
            }
            for call in message.toolCalls {
                total += 3 + TokenEstimate(call.name).tokens + TokenEstimate(call.arguments).tokens
            }
            if let id = message.toolCallID { total += TokenEstimate(id).tokens }
        }
        if !request.tools.isEmpty {
            total += 2 + TokenEstimate(OrderedJSON.array(request.tools.map(\.renderedJSON)).pythonJSON).tokens
        }
        tokens = total
    }
}
