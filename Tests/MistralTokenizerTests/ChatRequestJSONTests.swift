import Foundation
import Testing
@testable import MistralTokenizer

@Suite("Mistral API request bodies read into chat requests")
struct ChatRequestJSONTests {
    func read(_ json: String) throws -> ChatRequest { try ChatRequest(json: Data(json.utf8)) }

    @Test("every field the model sees is read; sampling and unknown fields are ignored")
    func readsEveryField() throws {
        let request = try read("""
            {"model": "mistral-large-latest", "temperature": 0.7, "max_tokens": 100, "stream": true, "future_field": {"x": 1},
             "messages": [
               {"role": "system", "content": [{"type": "text", "text": "Be brief."}, {"type": "thinking", "thinking": "plan"}]},
               {"role": "user", "content": "Weather in Paris?", "name": "ignored"},
               {"role": "assistant", "content": null, "tool_calls": [
                 {"id": "abcDEF123", "type": "function", "index": 0,
                  "function": {"name": "get_weather", "arguments": {"city": "Paris", "n": 1.50, "big": 123456789012345678901, "é": "ü\\n"}}},
                 {"id": "xyzXYZ123", "function": {"name": "noop", "arguments": "{\\"a\\":1}"}},
                 {"function": {"name": "noop", "arguments": null}}]},
               {"role": "tool", "content": "18", "tool_call_id": "abcDEF123", "name": "get_weather"},
               {"role": "tool", "content": [{"type": "text", "text": "ok"}], "tool_call_id": null},
               {"role": "assistant", "content": [
                 {"type": "thinking", "thinking": [{"type": "text", "text": "It is "}, {"type": "text", "text": "warm."}],
                  "closed": false, "signature": "sig"}], "prefix": true}
             ],
             "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}, "strict": true}},
                       {"function": {"name": "noop", "parameters": {}}}],
             "tool_choice": "auto",
             "reasoning_effort": "high",
             "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}, "strict": true}}}
            """)
        let expected = ChatRequest(
            messages: [
                .system(.chunks([.text("Be brief."), .thinking("plan")])),
                .user("Weather in Paris?"),
                .assistant(toolCalls: [
                    // An object is serialised as Python would (json.dumps), its key order and digits kept.
                    ChatRequest.ToolCall(id: "abcDEF123", name: "get_weather", arguments: #"{"city": "Paris", "n": 1.5, "big": 123456789012345678901, "é": "ü\n"}"#),
                    ChatRequest.ToolCall(id: "xyzXYZ123", name: "noop", arguments: #"{"a":1}"#),
                    ChatRequest.ToolCall(name: "noop", arguments: "{}"),
                ]),
                .tool("18", callID: "abcDEF123", name: "get_weather"),
                .tool(.chunks([.text("ok")]), callID: nil),
                .assistant(.chunks([.thinking("It is warm.", closed: false)]), prefix: true),
            ],
            tools: [
                ChatRequest.Tool(name: "get_weather", description: "Weather",
                         parameters: try OrderedJSON(parsing: #"{"type": "object", "properties": {"city": {"type": "string"}}}"#)),
                ChatRequest.Tool(name: "noop"),
            ],
            reasoningEffort: .high,
            responseFormat: .jsonSchema(name: "w", schema: .object([.init("type", .string("object"))]), strict: true))
        #expect(request == expected)
    }

    @Test("defaults: no tools, no settings, text format, content-less assistant")
    func readsDefaults() throws {
        let request = try read(#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant"}], "tools": null, "response_format": {"type": "json_object"}}"#)
        #expect(request == ChatRequest(messages: [.user("Hi"), .assistant()], responseFormat: .jsonObject))
        #expect(try read(#"{"messages": [], "response_format": null, "reasoning_effort": null}"#) == ChatRequest(messages: []))
    }

    @Test("malformed bodies are refused with the JSON path of the problem", arguments: [
        (#"[1]"#, "the request must be a JSON object, not an array"),
        (#"{}"#, "messages is missing; it must be an array of messages"),
        (#"{"messages": "hi"}"#, #"messages must be an array of messages, not the string "hi""#),
        (#"{"messages": [3]}"#, "messages[0] must be a message object, not a number"),
        (#"{"messages": [{"content": "hi"}]}"#, "messages[0].role is missing; it must be a string"),
        (#"{"messages": [{"role": 3}]}"#, "messages[0].role must be a string, not a number"),
        (#"{"messages": [{"role": "developer", "content": "hi"}]}"#, #"messages[0].role "developer" is not one of system, user, assistant, tool"#),
        (#"{"messages": [{"role": "user"}]}"#, "messages[0].content is missing; a user message needs content"),
        (#"{"messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": null}]}"#, "messages[1].content is missing; a tool message needs content"),
        (#"{"messages": [{"role": "user", "content": 5}]}"#, "messages[0].content must be a string, null or an array of chunks, not a number"),
        (#"{"messages": [{"role": "user", "content": ["hi"]}]}"#, #"messages[0].content[0] must be a chunk object with a "type", not the string "hi""#),
        (#"{"messages": [{"role": "user", "content": [{"text": "hi"}]}]}"#, "messages[0].content[0].type is missing"),
        (#"{"messages": [{"role": "user", "content": [{"type": "video"}]}]}"#, #"messages[0].content[0].type "video" is not a known chunk type"#),
        (#"{"messages": [{"role": "user", "content": [{"type": "text", "text": null}]}]}"#, "messages[0].content[0].text is missing"),
        (#"{"messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": 1}]}]}"#,
         "messages[0].content[0].thinking must be a string or an array of text chunks, not a number"),
        (#"{"messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": [{"type": "reference", "reference_ids": [1]}]}]}]}"#,
         #"messages[0].content[0].thinking[0] is a chunk of type "reference"; thinking can only hold text chunks"#),
        (#"{"messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": "x", "closed": "yes"}]}]}"#,
         #"messages[0].content[0].closed must be true or false, not the string "yes""#),
        (#"{"messages": [{"role": "assistant", "content": "a", "prefix": 1}]}"#, "messages[0].prefix must be true or false, not a number"),
        (#"{"messages": [{"role": "assistant", "tool_calls": {}}]}"#, "messages[0].tool_calls must be an array of tool calls, not an object"),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"id": "a"}]}]}"#, "messages[0].tool_calls[0].function is missing"),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]}]}"#, "messages[0].tool_calls[0].function.name is missing"),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f"}}]}]}"#,
         "messages[0].tool_calls[0].function.arguments is missing; it must be a JSON string or object"),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": [1]}}]}]}"#,
         "messages[0].tool_calls[0].function.arguments must be a JSON string or object, not an array"),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"id": 7, "function": {"name": "f", "arguments": "{}"}}]}]}"#,
         "messages[0].tool_calls[0].id must be a string, not a number"),
        (#"{"messages": [{"role": "tool", "content": "r", "tool_call_id": 1}]}"#, "messages[0].tool_call_id must be a string, not a number"),
        (#"{"messages": [], "tools": [{"type": "function", "function": {"name": "f"}}]}"#, "tools[0].function.parameters is missing"),
        (#"{"messages": [], "tools": [{"function": {"name": "f", "parameters": []}}]}"#, "tools[0].function.parameters must be a JSON schema object, not an array"),
        (#"{"messages": [], "tools": [{"function": {"name": "f", "description": 1, "parameters": {}}}]}"#, "tools[0].function.description must be a string, not a number"),
        (#"{"messages": [], "tools": "all"}"#, #"tools must be an array of tools, not the string "all""#),
        (#"{"messages": [], "reasoning_effort": "extreme"}"#, #"reasoning_effort "extreme" is not one of none, minimal, low, medium, high, xhigh, max"#),
        (#"{"messages": [], "response_format": "json"}"#, #"response_format must be an object, not the string "json""#),
        (#"{"messages": [], "response_format": {"type": "xml"}}"#, #"response_format.type "xml" is not one of text, json_object, json_schema"#),
        (#"{"messages": [], "response_format": {"type": "json_schema"}}"#, "response_format.json_schema is missing; it must be an object with name and schema"),
        (#"{"messages": [], "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": true}}}"#,
         "response_format.json_schema.schema must be a JSON schema object, not a boolean"),
        (#"{"messages": [}"#, "not valid JSON: expected a value at byte 14"),
        ("", "not valid JSON: expected a value at byte 0"),
    ])
    func refusesMalformedBodies(json: String, message: String) throws {
        let error = try #require(throws: TokenizerError.self) { try read(json) }
        #expect(error.kind == .invalidRequest)
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("built-in tools cannot be tokenized", arguments: [
        (#"{"messages": [], "tools": [{"type": "web_search"}]}"#, #"tools[0].type "web_search" cannot be tokenized; only "function" tools can"#),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"type": "retrieval", "function": {}}]}]}"#,
         #"messages[0].tool_calls[0].type "retrieval" cannot be tokenized; only "function" tool calls can"#),
    ])
    func refusesBuiltInTools(json: String, message: String) throws {
        let error = try #require(throws: TokenizerError.self) { try read(json) }
        #expect(error.kind == .unsupportedFeature)
        #expect(error.message == message)
    }

    @Test("image, audio, document and citation chunks are named with their message", arguments: [
        "image_url", "image", "input_audio", "audio_url", "document_url", "file", "reference", "tool_reference",
    ])
    func refusesUncountableChunks(type: String) throws {
        let json = #"{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": [{"type": "text", "text": "see"}, {"type": "\#(type)"}]}]}"#
        let error = try #require(throws: TokenizerError.self) { try read(json) }
        #expect(error.kind == .unsupportedFeature)
        #expect(error.message == #"messages[1].content[1] is a chunk of type "\#(type)"; only text and thinking chunks can be tokenized"#)
    }
}
