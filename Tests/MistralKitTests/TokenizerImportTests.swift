import MistralKit
import MistralTokenizer
import Testing

/// MistralKit's wire models and MistralTokenizer's request share short names (a message, its
/// content, a tool call, a tool, JSON). This file imports both modules and uses each one's
/// types unqualified where they are unique, so a clash between them fails to compile.
@Suite("MistralKit and MistralTokenizer in one file")
struct TokenizerImportTests {
    @Test func bothModulesChatTypesReadSideBySide() throws {
        let wire: [ChatMessage] = [
            .system("Be brief."), .user("Weather in Paris?"),
            .assistant(AssistantMessage(toolCalls: [ToolCall(id: "abcDEF123", function: .init(name: "get_weather", arguments: "{}"))])),
            .tool(callID: "abcDEF123", content: "sunny"),
        ]
        let prompt: [ChatRequest.Message] = [
            .system("Be brief."), .user("Weather in Paris?"),
            .assistant(toolCalls: [ChatRequest.ToolCall(id: "abcDEF123", name: "get_weather", arguments: "{}")]),
            .tool("sunny", callID: "abcDEF123"),
        ]
        #expect(wire.map(\.role) == prompt.map(\.role.rawValue))

        let schema: JSONValue = ["type": "object"]
        let tool = Tool.function(name: "get_weather", parameters: schema)
        let promptTool = ChatRequest.Tool(name: "get_weather", parameters: try OrderedJSON(parsing: schema.jsonString))
        #expect(tool.function?.name == promptTool.name)
        #expect(promptTool.parameters["type"]?.stringValue == schema["type"]?.stringValue)

        let content: MessageContent = .chunks([ContentChunk.text("Hi")])
        let promptContent: ChatRequest.MessageContent = .chunks([ChatRequest.ContentChunk.text("Hi")])
        #expect(content.text == "Hi" && promptContent != .text("Hi"))

        let request = ChatCompletionRequest(
            model: "mistral-small-latest", messages: wire, responseFormat: .jsonObject, tools: [tool], reasoningEffort: .high)
        let promptRequest = ChatRequest(
            messages: prompt, tools: [promptTool], reasoningEffort: ChatRequest.ReasoningEffort.high,
            responseFormat: ChatRequest.ResponseFormat.jsonObject)
        #expect(request.reasoningEffort?.rawValue == promptRequest.reasoningEffort?.rawValue)
        #expect(request.responseFormat == ResponseFormat.jsonObject)
        #expect(TokenEstimate(promptRequest).tokens > 0)
    }
}
