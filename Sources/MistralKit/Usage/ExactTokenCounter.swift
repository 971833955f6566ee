import Foundation
internal import MistralTokenizer

/// Exact token counts from Mistral's own tokenizer file (a `tekken.json` or a SentencePiece
/// `.model`), through `MistralTokenizer`: the prompt is rendered as the model sees it.
///
/// Give it to ``MistralClient/Configuration/tokenCounter`` and the client refuses a chat request
/// whose prompt plus `max_tokens` exceeds the model's context window, before sending it, and
/// budgets and the token limiter reserve exact prompt counts.
public struct ExactTokenCounter: TokenCounting {
    private let tokenizer: Tokenizer

    /// Loads the tokenizer file at `url`.
    ///
    /// - Throws: `.configuration` naming the file when it is missing, corrupt or of a version
    ///   the tokenizer does not support.
    public init(contentsOf url: URL) throws {
        do {
            tokenizer = try Tokenizer.load(contentsOf: url)
        } catch {
            throw MistralError(kind: .configuration, message: "Cannot load the tokenizer \(url.path): \(error)", underlying: error)
        }
    }

    public var isExact: Bool { true }

    public func tokens(in text: String) -> Int {
        tokenizer.countTokens(text)
    }

    /// The rendered prompt's token count.
    ///
    /// - Throws: `.invalidRequest` when the tokenizer cannot render the request (e.g. an image
    ///   chunk, or a message order the model's version refuses).
    public func promptTokens(for request: ChatCompletionRequest) throws -> Int {
        do {
            // The typed request maps straight to the tokenizer's; only what the mapping leaves to
            // the tokenizer's JSON reader (to refuse it, mostly) goes through the request's JSON.
            let rendered = try ChatRequest(request) ?? ChatRequest(json: Data(try JSONCoding.encode(request)))
            return try tokenizer.countTokens(rendered)
        } catch let error as MistralError {
            throw error
        } catch {
            throw MistralError(kind: .invalidRequest, message: "The tokenizer cannot render this request: \(error)", underlying: error)
        }
    }
}
