import Foundation
import Testing

@testable import MistralKit

/// Encoders against the member names of Mistral's own spec (Fixtures/spec-fields.json, made by
/// scripts/extract-spec-fields.py), and lenient decoding of what servers really send.
struct WireModelTests {
    struct SpecFields: Decodable {
        struct Schema: Decodable {
            var properties: [String]
            var required: [String]
        }
        var schemas: [String: Schema]
        var enums: [String: [String]]
    }

    static let spec: SpecFields = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/spec-fields.json")
        return try! JSONDecoder().decode(SpecFields.self, from: Data(contentsOf: url))
    }()

    func properties(_ schema: String) -> Set<String> { Set(Self.spec.schemas[schema]!.properties) }

    func keys(of value: some Encodable) throws -> Set<String> {
        let json = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(value))
        return Set(json.objectValue!.keys)
    }

    static let everyField = ChatCompletionRequest(
        model: "mistral-small-latest",
        messages: [.system("Be terse."), .user("Hi")],
        temperature: 0.3, topP: 0.9, maxTokens: 64, stop: ["\n\n"], randomSeed: 7, metadata: ["team": "support"],
        responseFormat: .jsonObject,
        tools: [.function(name: "get_order", description: "Order status", parameters: ["type": "object"])],
        toolChoice: .auto, presencePenalty: 0.1, frequencyPenalty: 0.2, n: 1, prediction: Prediction(content: "x"),
        parallelToolCalls: true, reasoningEffort: .high, promptMode: "reasoning",
        guardrails: [GuardrailConfig(blockOnError: true)], promptCacheKey: "k", serviceTier: .auto, safePrompt: false)

    @Test func chatRequestNamesExactlyTheSpecFields() throws {
        let ours = Set(ChatCompletionRequest.CodingKeys.allCases.map(\.rawValue))
        #expect(ours == properties("ChatCompletionRequest"))
        var request = Self.everyField
        request.stream = true
        #expect(try keys(of: request) == properties("ChatCompletionRequest"))
    }

    @Test func otherRequestsNameExactlyTheSpecFields() {
        #expect(Set(FIMCompletionRequest.CodingKeys.allCases.map(\.rawValue)) == properties("FIMCompletionRequest"))
        #expect(Set(EmbeddingRequest.CodingKeys.allCases.map(\.rawValue)) == properties("EmbeddingRequest"))
        #expect(Set(ClassificationRequest.CodingKeys.allCases.map(\.rawValue)) == properties("ClassificationRequest"))
        #expect(Set(ChatModerationRequest.CodingKeys.allCases.map(\.rawValue)) == properties("ChatModerationRequest"))
        #expect(Set(ChatClassificationRequest.CodingKeys.allCases.map(\.rawValue)) == properties("ChatClassificationRequest"))
        #expect(Set(ResponseFormat.CodingKeys.allCases.map(\.rawValue)) == properties("ResponseFormat"))
        #expect(Set(JSONSchemaFormat.CodingKeys.allCases.map(\.rawValue)) == properties("JsonSchema"))
        #expect(Set(FunctionDefinition.CodingKeys.allCases.map(\.rawValue)) == properties("Function"))
        #expect(Set(GuardrailConfig.CodingKeys.allCases.map(\.rawValue)) == properties("GuardrailConfig"))
        #expect(Set(ModerationLLMConfig.CodingKeys.allCases.map(\.rawValue)) == properties("ModerationLLMV1Config"))
    }

    @Test func messageAndToolAllowListsMatchTheSpec() {
        #expect(ChatMessage.allowedKeys["system"] == properties("SystemMessage"))
        #expect(ChatMessage.allowedKeys["user"] == properties("UserMessage"))
        #expect(ChatMessage.allowedKeys["assistant"] == properties("AssistantMessage"))
        #expect(ChatMessage.allowedKeys["tool"] == properties("ToolMessage"))
        #expect(Tool.allowedKeys["function"] == properties("Tool"))
        #expect(Tool.allowedKeys["web_search"] == properties("WebSearchTool"))
        #expect(Tool.allowedKeys["web_search_premium"] == properties("WebSearchPremiumTool"))
        #expect(Tool.allowedKeys["code_interpreter"] == properties("CodeInterpreterTool"))
        #expect(Tool.allowedKeys["image_generation"] == properties("ImageGenerationTool"))
        #expect(Tool.allowedKeys["document_library"] == properties("DocumentLibraryTool"))
        #expect(Tool.allowedKeys["connector"] == properties("CustomConnector"))
    }

    @Test func knownEnumValuesMatchTheSpec() {
        let reasoning: [ReasoningEffort] = [.none, .minimal, .low, .medium, .high, .xhigh]
        #expect(reasoning.map(\.rawValue) == Self.spec.enums["ReasoningEffort"])
        let dtypes: [EmbeddingDtype] = [.float, .int8, .uint8, .binary, .ubinary]
        #expect(dtypes.map(\.rawValue) == Self.spec.enums["EmbeddingDtype"])
        let modes: [ToolChoice.Mode] = [.auto, .none, .any, .required]
        #expect(modes.map(\.rawValue) == Self.spec.enums["ToolChoiceEnum"])
        let formats: [ResponseFormat.Kind] = [.text, .jsonObject, .jsonSchema]
        #expect(formats.map(\.rawValue) == Self.spec.enums["ResponseFormats"])
        #expect([ServiceTier.auto, .standardOnly].map(\.rawValue) == Self.spec.enums["RequestedServiceTier"])
    }

    @Test func encodedMessagesUseOnlyAllowedKeysPerRole() throws {
        let messages: [ChatMessage] = [
            .system("s"), .user("u"),
            .assistant(AssistantMessage(content: nil, toolCalls: [ToolCall(id: "abcDEF123", function: .init(name: "f", arguments: "{}"))], prefix: false)),
            .tool(callID: "abcDEF123", name: "f", content: "{\"ok\":true}"),
        ]
        for message in messages {
            let encoded = try keys(of: message)
            #expect(encoded.isSubset(of: ChatMessage.allowedKeys[message.role]!), "\(message.role): \(encoded)")
        }
    }

    @Test func nilFieldsAreLeftOut() throws {
        let request = ChatCompletionRequest(model: "m", messages: [.user("hi")])
        #expect(try keys(of: request) == ["model", "messages"])
    }

    @Test func everyContentChunkRoundTrips() throws {
        let json = """
            [{"type":"text","text":"look"},
             {"type":"image_url","image_url":"https://x/cat.png"},
             {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"high"}},
             {"type":"document_url","document_url":"https://x/a.pdf","document_name":"a.pdf"},
             {"type":"reference","reference_ids":[1,"r2"]},
             {"type":"file","file_id":"5b7c-uuid"},
             {"type":"thinking","thinking":[{"type":"text","text":"hmm"}],"closed":false,"signature":"sig"},
             {"type":"input_audio","input_audio":"UklGRg=="},
             {"type":"hologram","hologram":{"z":1}}]
            """
        let chunks = try JSONCoding.decode([ContentChunk].self, from: Array(json.utf8))
        #expect(chunks.count == 9)
        #expect(chunks[1] == .imageURL(.init(url: "https://x/cat.png")))
        #expect(chunks[2] == .imageURL(.init(url: "data:image/png;base64,AAAA", detail: .high)))
        #expect(chunks[4] == .reference(ids: [.int(1), .string("r2")]))
        guard case .thinking(let thinking) = chunks[6] else { Issue.record("not thinking"); return }
        #expect(thinking.text == "hmm" && thinking.closed == false && thinking.signature == "sig")
        #expect(chunks[8].type == "hologram")
        let again = try JSONCoding.decode([ContentChunk].self, from: JSONCoding.encode(chunks))
        #expect(again == chunks)
        let original = try JSONCoding.decode(JSONValue.self, from: Array(json.utf8))
        let reencoded = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(chunks))
        #expect(original == reencoded)
    }

    @Test func responsesDecodeLeniently() throws {
        let json = """
            {"id":"cmpl-1","object":"chat.completion","created":1702256327,"model":"mistral-small-latest","data":null,
             "brand_new_field":{"x":1},
             "choices":[{"index":0,"finish_reason":"brand_new_reason","messages":[],
               "message":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Let me think."}]},{"type":"text","text":"42"}],
                          "tool_calls":[{"id":"D681PevKs","type":"function","function":{"name":"f","arguments":{"a":1}},"index":0}],"prefix":false}}],
             "usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},
                      "num_cached_tokens":64,"service_tier":"priority"}}
            """
        let response = try JSONCoding.decode(ChatCompletionResponse.self, from: Array(json.utf8))
        #expect(response.text == "42")
        #expect(response.message?.content?.thinkingText == "Let me think.")
        #expect(response.choices[0].finishReason == FinishReason(rawValue: "brand_new_reason"))
        #expect(response.message?.toolCalls?.first?.function.arguments == #"{"a":1}"#)
        let usage = try #require(response.usage)
        #expect(usage.cachedTokens == 64 && usage.uncachedPromptTokens == 36 && usage.serviceTier == .priority)
        #expect(usage.additional["num_cached_tokens"] == .int(64))
        // Unknown usage members survive a round trip.
        let again = try JSONCoding.decode(UsageInfo.self, from: JSONCoding.encode(usage))
        #expect(again == usage)
        let raw = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(usage))
        #expect(raw["prompt_tokens_details"]?["audio_tokens"] == .int(0))
    }

    @Test func missingUsageIsNilNotZero() throws {
        let response = try JSONCoding.decode(ChatCompletionResponse.self, from: Array(#"{"choices":[]}"#.utf8))
        #expect(response.usage == nil)
    }

    @Test(arguments: [
        #"{"object":"list","data":[{"id":"mistral-small-latest","capabilities":{"completion_chat":true,"new_flag":true},"type":"base"}]}"#,
        #"[{"id":"mistral-small-latest","capabilities":{"completion_chat":true,"new_flag":true},"type":"base"}]"#,
    ])
    func modelListAcceptsBothForms(json: String) throws {
        let list = try JSONCoding.decode(ModelList.self, from: Array(json.utf8))
        #expect(list.data.map(\.id) == ["mistral-small-latest"])
        #expect(list.data[0].capabilities.completionChat)
        #expect(list.data[0].capabilities.additional["new_flag"] == .bool(true))
    }

    @Test func toolChoiceForms() throws {
        #expect(String(decoding: try JSONCoding.encode(ToolChoice.any), as: UTF8.self) == #""any""#)
        let named = String(decoding: try JSONCoding.encode(ToolChoice.function(name: "get_order")), as: UTF8.self)
        #expect(named == #"{"function":{"name":"get_order"},"type":"function"}"#)
        #expect(try JSONCoding.decode(ToolChoice.self, from: Array(named.utf8)) == .function(name: "get_order"))
    }

    @Test(arguments: [EmbeddingDtype.float, .int8, .uint8, .binary, .ubinary])
    func embeddingPackingRoundTrips(dtype: EmbeddingDtype) throws {
        let values: [Double] = dtype == .float ? [0.25, -1.5, 3.0e-3, 0] : dtype == .uint8 || dtype == .ubinary ? [0, 1, 200, 255] : [-128, -1, 0, 127]
        let packed = EmbeddingPacking.pack(values, dtype: dtype)
        let unpacked = try #require(EmbeddingPacking.unpack(packed, dtype: dtype))
        #expect(unpacked.count == values.count)
        for (a, b) in zip(unpacked, values) { #expect(abs(a - b) < 1e-6) }
        #expect(EmbeddingPacking.unpack("not base64!", dtype: dtype) == nil)
    }

    @Test func singleStringInputsDecode() throws {
        let request = try JSONCoding.decode(EmbeddingRequest.self, from: Array(#"{"model":"mistral-embed","input":"one"}"#.utf8))
        #expect(request.input == ["one"])
    }
}
