import Foundation
import MistralKit

/// Decides whether a chat turn calls tools, which ones, and with what arguments.
///
/// Only `function` tools are ever called. The turn calls tools when `tool_choice` is `any`,
/// `required` or names a function (always), or is `auto`/absent and the last message is from
/// the user and mentions a tool's name (case-insensitive; `get_weather` also matches
/// "get weather"). Forced choices call the mentioned tools, or the first tool when none is
/// mentioned; a named choice calls that tool. With `parallel_tool_calls: false` only the first
/// is called. Arguments satisfy each tool's parameter schema (``SchemaValueGenerator``, which
/// takes an `enum` value the user's last message names, as a model would); ids are
/// 9 alphanumeric characters drawn from the request's hash.
struct ToolCallPlanner: Sendable {
    /// The calls for this turn; empty for a text answer.
    /// Throws ``APIFailure`` (400) when `tool_choice` names a function that is not in `tools`.
    func calls(for request: ChatCompletionRequest, using generator: inout SeededGenerator) throws -> [ToolCall] {
        let functions = (request.tools ?? []).filter { $0.type == .function }.compactMap(\.function)
        guard !functions.isEmpty else { return [] }
        let lastIsUser: Bool = if case .user = request.messages.last { true } else { false }
        let question = lastIsUser ? AnswerComposer.lastUserText(request.messages) ?? "" : ""
        let mentioned = lastIsUser ? Self.mentioned(functions, in: question) : []
        var chosen: [FunctionDefinition]
        switch request.toolChoice ?? .auto {
        case .function(let name):
            guard let function = functions.first(where: { $0.name == name }) else {
                throw APIFailure.badRequest("Tool choice '\(name)' does not match any function in tools.")
            }
            chosen = [function]
        case .mode(let mode) where mode == .any || mode == .required:
            chosen = mentioned.isEmpty ? [functions[0]] : mentioned
        case .mode(let mode) where mode == .none:
            chosen = []
        default:
            chosen = mentioned
        }
        if request.parallelToolCalls == false { chosen = Array(chosen.prefix(1)) }
        return chosen.enumerated().map { index, function in
            let arguments = SchemaValueGenerator(root: function.parameters, question: question).value()
            return ToolCall(
                id: generator.string(length: 9, from: Self.idAlphabet), type: .function,
                function: .init(name: function.name, arguments: arguments.jsonString), index: index)
        }
    }

    private static let idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    private static func mentioned(_ functions: [FunctionDefinition], in text: String) -> [FunctionDefinition] {
        let lowered = text.lowercased()
        return functions.filter { function in
            let name = function.name.lowercased()
            return lowered.contains(name) || lowered.contains(name.replacingOccurrences(of: "_", with: " "))
        }
    }
}
