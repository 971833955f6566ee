import Foundation
import MistralKit

/// Writes the emulator's deterministic answers.
///
/// For a chat, the last message decides, in this order:
/// 1. a tool result (last message has role `tool`): `The <name> tool returned: <content>`;
/// 2. a canned answer: the last user text exactly matches a key of
///    ``EmulatorConfiguration/cannedAnswers`` (by default "What is the capital of France?"
///    gives "The capital of France is Paris.");
/// 3. `Echo: <text>`: the answer is `<text>` verbatim;
/// 4. `Write <N> words`: N words from a fixed word list, then a period (N at most 100,000);
/// 5. otherwise two or three plain sentences picked by the request's hash, after
///    `You asked about "<the first 12 words of the question>".`
/// FIM answers are a canned answer keyed by the prompt, or a short code line picked by hash.
struct AnswerComposer: Sendable {
    let cannedAnswers: [String: String]

    /// The text answer to a conversation whose last message is `last`.
    func chatAnswer(to messages: [ChatMessage], using generator: inout SeededGenerator) -> String {
        guard let last = messages.last else { return "Hello! How can I help you today?" }
        if case .tool(let content, let callID, let name) = last {
            let toolName = name ?? Self.toolName(calledWith: callID, in: messages) ?? "tool"
            return "The \(toolName) tool returned: \(content?.text ?? "")"
        }
        let question = Self.lastUserText(messages) ?? ""
        return answer(to: question, using: &generator)
    }

    /// The answer to one question, by rules 2 to 5.
    func answer(to question: String, using generator: inout SeededGenerator) -> String {
        if let canned = cannedAnswers[question] { return canned }
        if question.hasPrefix("Echo: ") { return String(question.dropFirst(6)) }
        if let count = Self.requestedWordCount(question) { return Self.words(count) }
        let summary = question.split(whereSeparator: \.isWhitespace).prefix(12).joined(separator: " ")
            .trimmingCharacters(in: .punctuationCharacters)
        var sentences: [String] = []
        if !summary.isEmpty { sentences.append("You asked about \"\(summary)\".") }
        var pool = Self.sentences
        for _ in 0..<(2 + Int(generator.next() % 2)) {
            sentences.append(pool.remove(at: Int(generator.next() % UInt64(pool.count))))
        }
        return sentences.joined(separator: " ")
    }

    /// The code between `prompt` and `suffix`.
    func fimAnswer(prompt: String, suffix: String, using generator: inout SeededGenerator) -> String {
        if let canned = cannedAnswers[prompt] { return canned }
        return Self.codeLines[Int(generator.next() % UInt64(Self.codeLines.count))]
    }

    /// The text of the last user message, if there is one.
    static func lastUserText(_ messages: [ChatMessage]) -> String? {
        for message in messages.reversed() {
            if case .user(let content) = message { return content?.text ?? "" }
        }
        return nil
    }

    private static func toolName(calledWith callID: String?, in messages: [ChatMessage]) -> String? {
        for message in messages.reversed() {
            guard case .assistant(let assistant) = message else { continue }
            if let call = assistant.toolCalls?.first(where: { $0.id == callID }) { return call.function.name }
        }
        return nil
    }

    private static func requestedWordCount(_ question: String) -> Int? {
        let parts = question.split(separator: " ")
        guard parts.count >= 3, parts[0] == "Write", parts[2].hasPrefix("word"), let count = Int(parts[1]), count > 0 else {
            return nil
        }
        return min(count, 100_000)
    }

    private static func words(_ count: Int) -> String {
        (0..<count).map { wordList[$0 % wordList.count] }.joined(separator: " ") + "."
    }

    private static let wordList = [
        "alpha", "river", "stone", "light", "garden", "window", "morning", "paper", "signal", "harbor", "forest", "cloud",
        "bridge", "silver", "orange", "market", "engine", "castle", "winter", "meadow",
    ]

    private static let sentences = [
        "The short answer is that it depends on a few details.",
        "A good first step is to check the basic facts.",
        "Most people find that a simple approach works best.",
        "It helps to break the problem into smaller parts.",
        "There are several reasonable ways to look at this.",
        "Testing a small example first usually saves time.",
        "The details matter, so it is worth being precise.",
        "In practice, the common cases cover most needs.",
        "A clear plan makes the rest much easier.",
        "Keeping things simple is usually the safest choice.",
        "This is a common question with a practical answer.",
        "Start with what you know and build from there.",
    ]

    private static let codeLines = [
        "    return result\n",
        "    pass\n",
        "    return None\n",
        "    raise NotImplementedError\n",
        "    return value\n",
    ]
}
