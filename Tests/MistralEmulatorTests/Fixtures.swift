import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

/// Requests and helpers shared by the emulator tests.
enum Fixtures {
    static let chatModel = "mistral-small-latest"
    static let capitalQuestion = "What is the capital of France?"
    static let capitalAnswer = "The capital of France is Paris."

    static func chat(_ text: String, model: String = chatModel, maxTokens: Int? = nil) -> ChatCompletionRequest {
        ChatCompletionRequest(model: model, messages: [.user(text)], maxTokens: maxTokens)
    }

    static let weatherTool = Tool.function(
        name: "get_weather", description: "Current weather for a city.",
        parameters: [
            "type": "object",
            "properties": [
                "city": ["type": "string"],
                "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                "days": ["type": "integer", "minimum": 1],
                "detailed": ["type": "boolean"],
            ],
            "required": ["city", "unit", "days", "detailed"],
        ])

    /// The error `body` throws, which must be a ``MistralError``.
    static func mistralError(_ body: () async throws -> Void) async -> MistralError? {
        do {
            try await body()
            Issue.record("Expected a MistralError, but the call succeeded.")
            return nil
        } catch let error as MistralError {
            return error
        } catch {
            Issue.record("Expected a MistralError, got \(error)")
            return nil
        }
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / (norm(a) * norm(b))
    }

    static func norm(_ vector: [Double]) -> Double { vector.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    static func isHexID(_ id: String) -> Bool {
        id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The `data:` payloads of an event-stream body, in order.
    static func events(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event in
            event.hasPrefix("data: ") ? String(event.dropFirst(6)) : "<not a data line: \(event)>"
        }
    }
}
