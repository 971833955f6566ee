import Foundation
import MistralTokenizer
import Testing

@testable import MistralKit

/// ``ExactTokenCounter`` hands the tokenizer a request mapped from the typed one; it must be
/// what the tokenizer reads from the request's JSON, which is what it was handed before.
@Suite("The typed request mapped to the tokenizer's")
struct ChatRequestMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var request: ChatCompletionRequest
        init(_ name: String, _ messages: [ChatMessage], configure: (inout ChatCompletionRequest) -> Void = { _ in }) {
            testDescription = name
            request = ChatCompletionRequest(model: "mistral-small-latest", messages: messages)
            configure(&request)
        }
    }

    /// What the tokenizer reads from the request's JSON body.
    static func readFromJSON(_ request: ChatCompletionRequest) throws -> ChatRequest {
        try ChatRequest(json: Data(try JSONCoding.encode(request)))
    }

    /// Keys whose UTF-8 order differs from their `String` order, and numbers JSON writes as
    /// integers (`2.0`, `-0.0`), decimals and exponents.
    static let schema: JSONValue = [
        "type": "object", "Zeta": true, "é": "accent", "e\u{301}": "combining", "_": nil, "a": [1, 2.0, 2.5, -0.0, 1e-7, 1e21, 123_456_789],
        "properties": ["city": ["type": "string", "description": "The city, \"quoted\"\n\ttabbed"], "days": ["type": "integer", "minimum": 1, "maximum": 14.5]],
        "required": ["city"],
    ]

    static let call = ToolCall(id: "abcDEF123", function: .init(name: "get_weather", arguments: #"{"city": "Paris", "n": 1.50}"#))

    static let mappable: [Case] = [
        Case("plain turns", [.system("Be brief."), .user("Hi"), .assistant("Hello"), .user("Bye")]),
        Case("tool call and result", [
            .user("Weather?"), .assistant(AssistantMessage(content: "Checking.", toolCalls: [call, ToolCall(type: nil, function: .init(name: "noop", arguments: ""))])),
            .tool(callID: "abcDEF123", name: "get_weather", content: "sunny"), .tool(content: .text("{}"), toolCallID: nil, name: nil),
        ]),
        Case("chunks and thinking", [
            .system(content: .chunks([.text("Rules."), .thinking(.init(thinking: [.text("hidden")]))])),
            .user(content: .chunks([.text("One"), .text("Two")])),
            .assistant(AssistantMessage(content: .chunks([
                .thinking(.init(thinking: [.text("step 1, "), .text("step 2")], signature: "sig", closed: false)), .text("Answer"),
            ]))),
            .user(content: .chunks([])),
        ]),
        Case("prefix and empty assistant", [.user("Go"), .assistant(AssistantMessage(content: nil)), .user("Again"), .assistant(AssistantMessage(content: "Sure", prefix: true))]),
        Case("tools, effort and a JSON schema", [.user("Plan")]) {
            $0.tools = [.function(name: "get_weather", description: "Weather", parameters: schema), .function(name: "noop", parameters: [:], strict: true)]
            $0.reasoningEffort = .high
            $0.responseFormat = .jsonSchema(name: "plan", schema: schema, strict: nil)
            $0.temperature = 0.2
            $0.metadata = ["user": "u1"]
        },
        Case("json object and text formats", [.user("List")]) { $0.responseFormat = .jsonObject },
        Case("text format with a schema", [.user("List")]) { $0.responseFormat = ResponseFormat(type: .text, jsonSchema: .init(name: "x", schema: [1])) },
    ]

    @Test(arguments: mappable)
    func readsAsTheJSONBodyReads(_ test: Case) throws {
        let mapped = try #require(ChatRequest(test.request))
        #expect(mapped == (try Self.readFromJSON(test.request)))
    }

    static let leftToTheReader: [Case] = [
        Case("image chunk", [.user(content: .chunks([.text("See"), .imageURL(.init(url: "https://example.com/a.png"))]))]),
        Case("document chunk", [.user(content: .chunks([.documentURL(url: "https://example.com/a.pdf", name: nil)]))]),
        Case("thinking holding a reference", [.assistant(AssistantMessage(content: .chunks([.thinking(.init(thinking: [.reference(ids: [.int(1)])]))])))]),
        Case("unknown chunk", [.user(content: .chunks([.unknown(["type": "text", "text": "raw"])]))]),
        Case("user without content", [.user(content: nil)]),
        Case("tool without content", [.user("q"), .tool(content: nil, toolCallID: "abcDEF123", name: nil)]),
        Case("built-in tool call", [.user("q"), .assistant(AssistantMessage(toolCalls: [ToolCall(type: .webSearch, function: .init(name: "s", arguments: "{}"))]))]),
        Case("built-in tool", [.user("q")]) { $0.tools = [Tool(type: .webSearch)] },
        Case("function tool without a function", [.user("q")]) { $0.tools = [Tool(type: .function)] },
        Case("parameters that are not an object", [.user("q")]) { $0.tools = [.function(name: "f", parameters: [1, 2])] },
        Case("non-finite number", [.user("q")]) { $0.tools = [.function(name: "f", parameters: ["max": .double(.infinity)])] },
        Case("unknown reasoning effort", [.user("q")]) { $0.reasoningEffort = ReasoningEffort(rawValue: "extreme") },
        Case("unknown response format", [.user("q")]) { $0.responseFormat = ResponseFormat(type: .init(rawValue: "yaml")) },
        Case("JSON schema format without a schema", [.user("q")]) { $0.responseFormat = ResponseFormat(type: .jsonSchema) },
    ]

    /// The mapping steps aside, and the JSON reader decides as before (mostly by refusing).
    @Test(arguments: leftToTheReader)
    func leavesTheRestToTheJSONReader(_ test: Case) {
        #expect(ChatRequest(test.request) == nil)
    }

    /// A chunk the JSON reader happens to accept is still read by it, so nothing changes for it.
    @Test func theCounterStillReadsWhatTheMappingLeaves() throws {
        let request = Self.leftToTheReader.first { $0.testDescription == "unknown chunk" }!.request
        #expect(try Self.readFromJSON(request).messages == [.user(.chunks([.text("raw")]))])
    }

    /// Every chat case of the exactness fixtures that MistralKit reads as a request body (some
    /// write thinking as mistral-common's plain string, which Mistral's API does not take).
    @Test(.enabled(if: ExactTokenCounterTests.directory != nil, "set MISTRALKIT_TOKENIZER_DIR (scripts/test.sh does)"))
    func readsTheFixtureChatsAsTheJSONBodyReads() throws {
        let directory = URL(fileURLWithPath: try #require(ExactTokenCounterTests.directory))
        let fixtures = try JSONCoding.decode(JSONValue.self, from: Array(try Data(contentsOf: directory.appendingPathComponent("fixtures.json"))))
        let chats = try #require(fixtures["chat_cases"]?.arrayValue)
        var read = 0
        for chat in chats {
            let wire = try #require(chat["wire"]?.stringValue)
            guard let request = try? JSONCoding.decode(ChatCompletionRequest.self, from: Array(wire.utf8)) else { continue }
            read += 1
            let direct = try #require(ChatRequest(request), "\(chat["name"]?.stringValue ?? "?")")
            #expect(direct == (try Self.readFromJSON(request)), "\(chat["name"]?.stringValue ?? "?")")
        }
        #expect(read >= chats.count * 3 / 4)
    }
}
