import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Tool calls")
struct ToolCallTests {
    private func request(_ text: String, choice: ToolChoice?) -> ChatCompletionRequest {
        ChatCompletionRequest(model: Fixtures.chatModel, messages: [.user(text)], tools: [Fixtures.weatherTool], toolChoice: choice)
    }

    @Test(arguments: [ToolChoice.any, .required, .function(name: "get_weather")])
    func forcedChoiceCallsTheTool(choice: ToolChoice) async throws {
        try await withEmulatorClient { client, _ in
            let response = try await client.chat(request("Hello there", choice: choice))
            let choice = try #require(response.choices.first)
            #expect(choice.finishReason == .toolCalls)
            #expect(choice.message.content?.text == "")
            let call = try #require(choice.message.toolCalls?.first)
            #expect(call.type == .function)
            #expect(call.function.name == "get_weather")
            let id = try #require(call.id)
            #expect(id.count == 9 && id.allSatisfy { $0.isLetter || $0.isNumber } && id.allSatisfy(\.isASCII))
            let arguments = try call.function.decodedArguments()
            #expect(arguments["city"]?.stringValue != nil)
            #expect(arguments["unit"] == "celsius")
            #expect(arguments["days"] == 1)
            #expect(arguments["detailed"] == true)
            let callTokens = TokenEstimator.count(call.function.name) + TokenEstimator.count(call.function.arguments)
            #expect(response.usage?.completionTokens == callTokens)
        }
    }

    /// As a model would, the emulator fills an `enum` argument with the value the user named.
    @Test func anEnumArgumentTakesTheValueTheQuestionNames() async throws {
        try await withEmulatorClient { client, _ in
            let named = try await client.chat(request("What is the weather in Oslo in fahrenheit?", choice: .any))
            #expect(try named.choices.first?.message.toolCalls?.first?.function.decodedArguments()["unit"] == "fahrenheit")
            let unnamed = try await client.chat(request("What is the weather in Oslo?", choice: .any))
            #expect(try unnamed.choices.first?.message.toolCalls?.first?.function.decodedArguments()["unit"] == "celsius")
        }
    }

    @Test func autoCallsOnlyWhenTheToolIsMentioned() async throws {
        try await withEmulatorClient { client, _ in
            let mentioned = try await client.chat(request("Please use get weather for Paris", choice: .auto))
            #expect(mentioned.choices.first?.message.toolCalls?.first?.function.name == "get_weather")
            let plain = try await client.chat(request("Tell me a joke", choice: .auto))
            #expect(plain.choices.first?.message.toolCalls == nil)
            #expect(plain.choices.first?.finishReason == .stop)
            let none = try await client.chat(request("Call get_weather now", choice: ToolChoice.none))
            #expect(none.choices.first?.message.toolCalls == nil)
        }
    }

    @Test func toolResultIsMentionedInTheAnswer() async throws {
        try await withEmulatorClient { client, _ in
            var conversation = request("What is the weather? Use get_weather.", choice: .auto)
            let first = try await client.chat(conversation)
            let call = try #require(first.choices.first?.message.toolCalls?.first)
            conversation.messages.append(.assistant(try #require(first.message)))
            conversation.messages.append(.tool(callID: try #require(call.id), content: "18 degrees and sunny"))
            let second = try await client.chat(conversation)
            #expect(second.text == "The get_weather tool returned: 18 degrees and sunny")
            #expect(second.choices.first?.finishReason == .stop)
        }
    }

    @Test func unknownNamedFunctionIsRefused() async throws {
        try await withEmulatorClient { client, _ in
            let error = await Fixtures.mistralError {
                _ = try await client.chat(request("Hi", choice: .function(name: "send_email")))
            }
            #expect(error?.status == 400)
        }
    }
}
