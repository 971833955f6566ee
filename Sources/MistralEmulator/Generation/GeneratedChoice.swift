import Foundation
import MistralKit

/// One answer of a completion, after stop sequences and `max_tokens` were applied.
struct GeneratedChoice: Sendable {
    var index: Int
    /// The visible text; empty for a tool-call turn.
    var text: String
    var toolCalls: [ToolCall]
    var finishReason: FinishReason
    /// Tokens of the text, or of the tool calls' names and arguments.
    var completionTokens: Int

    /// A text answer cut at the first stop sequence (finish `stop`), then to `maxTokens`
    /// tokens (finish `length`).
    static func text(_ full: String, index: Int, stop: [String], maxTokens: Int?) -> GeneratedChoice {
        var text = full
        if let cut = stop.filter({ !$0.isEmpty }).compactMap({ full.range(of: $0)?.lowerBound }).min() {
            text = String(full[..<cut])
        }
        var reason = FinishReason.stop
        if let maxTokens, TokenEstimator.count(text) > maxTokens {
            text = TokenEstimator.pieces(of: text).prefix(maxTokens).joined()
            reason = .length
        }
        return GeneratedChoice(
            index: index, text: text, toolCalls: [], finishReason: reason, completionTokens: TokenEstimator.count(text))
    }

    /// A tool-call turn: empty content, finish `tool_calls`.
    static func toolCalls(_ calls: [ToolCall], index: Int) -> GeneratedChoice {
        let tokens = calls.reduce(0) { $0 + TokenEstimator.count($1.function.name) + TokenEstimator.count($1.function.arguments) }
        return GeneratedChoice(index: index, text: "", toolCalls: calls, finishReason: .toolCalls, completionTokens: tokens)
    }
}
