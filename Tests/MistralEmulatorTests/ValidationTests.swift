import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("422 validation")
struct ValidationTests {
    private func post(_ body: String, to path: String = "/v1/chat/completions", configuration: EmulatorConfiguration = .init())
        async throws -> RawHTTPResponse
    {
        try await withEmulator(configuration: configuration) { baseURL, _ in
            try await sendRaw("POST", baseURL + path, body: body)
        }
    }

    private func detail(_ response: RawHTTPResponse) -> [JSONValue] {
        response.json?["detail"]?.arrayValue ?? []
    }

    @Test func unknownTopLevelFieldIsExtraForbidden() async throws {
        let response = try await post(#"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"store":true}"#)
        #expect(response.status == 422)
        #expect(response.header("content-type") == "application/json")
        #expect(
            detail(response) == [
                ["type": "extra_forbidden", "loc": ["body", "store"], "msg": "Extra inputs are not permitted", "input": true]
            ])
    }

    @Test func unknownFieldsInMessagesAndToolsCarryTheTag() async throws {
        let body = """
            {"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi","name":"bob"}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{}},"strict":true}]}
            """
        let locations = detail(try await post(body)).map { $0["loc"] }
        #expect(locations == [["body", "messages", 0, "user", "name"], ["body", "tools", 0, "function", "strict"]])
    }

    @Test func everyProblemIsReportedWithItsLocation() async throws {
        let body = #"{"messages":[{"role":"user"}],"temperature":"hot","top_p":0,"max_tokens":"ten","n":0,"tool_choice":"sometimes"}"#
        let issues = detail(try await post(body))
        func issue(_ location: JSONValue) -> JSONValue? { issues.first { $0["loc"] == location } }
        #expect(issue(["body", "model"])?["type"] == "missing")
        #expect(issue(["body", "model"])?["msg"] == "Field required")
        #expect(issue(["body", "messages", 0, "user", "content"])?["type"] == "missing")
        #expect(issue(["body", "temperature"])?["type"] == "float_parsing")
        #expect(issue(["body", "temperature"])?["input"] == "hot")
        #expect(issue(["body", "top_p"])?["type"] == "greater_than")
        #expect(issue(["body", "top_p"])?["ctx"] == ["gt": 0])
        #expect(issue(["body", "max_tokens"])?["type"] == "int_parsing")
        #expect(issue(["body", "n"])?["type"] == "greater_than_equal")
        #expect(issue(["body", "tool_choice", "ToolChoiceEnum"])?["type"] == "enum")
        #expect(issue(["body", "tool_choice", "ToolChoice"])?["type"] == "model_type")
        #expect(issues.count == 8)
    }

    @Test func rangeAndTypeErrors() async throws {
        let body = #"{"model":"mistral-small-latest","messages":[{"role":"robot","content":"x"}],"temperature":2,"stream":"maybe"}"#
        let issues = detail(try await post(body))
        #expect(issues.contains { $0["loc"] == ["body", "temperature"] && $0["type"] == "less_than_equal" && $0["ctx"] == ["le": 1.5] })
        #expect(issues.contains { $0["loc"] == ["body", "stream"] && $0["type"] == "bool_parsing" })
        #expect(issues.contains { $0["loc"] == ["body", "messages", 0] && $0["type"] == "union_tag_invalid" })
    }

    @Test func discriminatorProblems() async throws {
        let body = """
            {"model":"mistral-small-latest","messages":[{"content":"no role"},"just text"],
             "tools":[{"function":{"name":"f","parameters":{}}},{"type":"teleport"}]}
            """
        let issues = detail(try await post(body))
        #expect(issues.map { $0["type"] } == ["union_tag_not_found", "model_attributes_type", "union_tag_invalid"])
        #expect(issues.map { $0["loc"] } == [["body", "messages", 0], ["body", "messages", 1], ["body", "tools", 1]])
        #expect(issues.last?["ctx"]?["tag"] == "teleport")
    }

    @Test func laxCoercionIsAccepted() async throws {
        let response = try await post(
            #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"temperature":"0.5","max_tokens":"20"}"#)
        #expect(response.status == 200)
    }

    @Test func invalidAndMissingBodies() async throws {
        let broken = try await post("{not json")
        #expect(broken.status == 422)
        #expect(detail(broken).first?["type"] == "json_invalid")
        let empty = try await post("")
        #expect(detail(empty).first == ["type": "missing", "loc": ["body"], "msg": "Field required", "input": nil])
        let array = try await post("[1]")
        #expect(detail(array).first?["type"] == "model_attributes_type")
    }

    @Test func otherEndpointsValidateToo() async throws {
        let embedding = detail(try await post(#"{"model":"mistral-embed","input":["a"],"dimensions":8}"#, to: "/v1/embeddings"))
        #expect(embedding.first?["loc"] == ["body", "dimensions"])
        let fim = detail(try await post(#"{"model":"codestral-latest"}"#, to: "/v1/fim/completions"))
        #expect(fim.first?["loc"] == ["body", "prompt"])
        let dtype = detail(try await post(#"{"model":"mistral-embed","input":"a","output_dtype":"int4"}"#, to: "/v1/embeddings"))
        #expect(dtype.first?["type"] == "enum")
    }

    @Test func clientSeesValidationIssues() async throws {
        try await withEmulator { baseURL, _ in
            try await withClient(baseURL: baseURL) { client in
                var request = Fixtures.chat("Hi")
                request.temperature = 3
                request.topP = 1.5
                let error = await Fixtures.mistralError { _ = try await client.chat(request) }
                #expect(error?.kind == .validation)
                #expect(error?.status == 422)
                #expect(error?.validationErrors.map(\.location) == [["body", "temperature"], ["body", "top_p"]])
                #expect(error?.validationErrors.first?.type == "less_than_equal")
            }
        }
    }

    @Test func envelopeStyleWrapsTheDetail() async throws {
        let response = try await post(
            #"{"model":"mistral-small-latest","messages":[],"store":1}"#, configuration: .init(validationErrorStyle: .envelope))
        #expect(response.status == 422)
        #expect(response.json?["object"] == "error")
        #expect(response.json?["type"] == "invalid_request_error")
        #expect(response.json?["message"]?["detail"]?.arrayValue?.first?["loc"] == ["body", "store"])
    }
}
