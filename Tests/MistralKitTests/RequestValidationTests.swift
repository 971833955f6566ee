import MistralKit
import NIOHTTP1
import Testing

/// ``RequestValidator`` on its own, through the public API the emulator and the gateway use:
/// the 422 details Mistral sends (FastAPI/Pydantic shape) and the bytes of the answer's body.
@Suite("Request validation")
struct RequestValidationTests {
    private let validator = RequestValidator()

    /// The issues `body` is refused with; none when it decodes.
    private func issues(_ body: String, schema: ObjectSchema = RequestSchemas.chatCompletion) -> [FieldIssue] {
        do {
            _ = try validator.decode(ChatCompletionRequest.self, from: Array(body.utf8), schema: schema)
            return []
        } catch {
            return error.issues
        }
    }

    private static let hi = #""model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}]"#

    @Test func unknownFieldIsExtraForbidden() throws {
        let found = issues("{\(Self.hi),\"store\":true}")
        #expect(found.count == 1)
        #expect(found.first?.location == ["body", "store"])
        #expect(found.first?.type == "extra_forbidden")
        #expect(found.first?.message == "Extra inputs are not permitted")
        #expect(found.first?.input == true)
    }

    @Test func missingMessagesIsReportedWithTheBodyAsInput() {
        let found = issues(#"{"model":"mistral-small-latest"}"#)
        #expect(found.map(\.location) == [["body", "messages"]])
        #expect(found.first?.type == "missing")
        #expect(found.first?.message == "Field required")
        #expect(found.first?.input == ["model": "mistral-small-latest"])
    }

    @Test func temperatureOutOfRange() {
        let found = issues("{\(Self.hi),\"temperature\":2}")
        #expect(found.count == 1)
        #expect(found.first?.location == ["body", "temperature"])
        #expect(found.first?.type == "less_than_equal")
        #expect(found.first?.message == "Input should be less than or equal to 1.5")
        #expect(found.first?.context == ["le": 1.5])
        #expect(found.first?.input == 2)
    }

    @Test(arguments: [
        (#""max_tokens":"ten""#, "max_tokens", "int_parsing"),
        (#""stream":[true]"#, "stream", "bool_type"),
        (#""temperature":true"#, "temperature", "float_type"),
        (#""random_seed":1.5"#, "random_seed", "int_from_float"),
        (#""safe_prompt":"perhaps""#, "safe_prompt", "bool_parsing"),
    ])
    func wrongType(member: String, name: String, type: String) {
        let found = issues("{\(Self.hi),\(member)}")
        #expect(found.map(\.location) == [["body", .string(name)]])
        #expect(found.first?.type == type)
    }

    @Test func aWrongTypeForAWholeMemberNamesTheMember() {
        let found = issues(#"{"model":5,"messages":{}}"#)
        #expect(found.map(\.location) == [["body", "model"], ["body", "messages"]])
        #expect(found.map(\.type) == ["string_type", "list_type"])
    }

    @Test(arguments: ["", "  \r\n\t"])
    func emptyBodyIsAMissingBody(body: String) {
        let found = issues(body)
        #expect(found.map(\.location) == [["body"]])
        #expect(found.first?.type == "missing")
        #expect(found.first?.input == .null)
    }

    @Test func invalidJSON() {
        let found = issues("{not json")
        #expect(found.map(\.location) == [["body", 0]])
        #expect(found.first?.type == "json_invalid")
        #expect(found.first?.message == "JSON decode error")
        #expect(found.first?.input == [:])
        #expect(found.first?.context?["error"]?.stringValue?.isEmpty == false)
    }

    @Test func aBodyThatIsNotAnObject() {
        #expect(issues("[1]").map(\.type) == ["model_attributes_type"])
    }

    @Test func everyProblemIsListedInPydanticsOrder() {
        let found = issues(#"{"messages":[{"role":"user"}],"temperature":"hot","zeta":1,"alpha":2}"#)
        #expect(
            found.map(\.location) == [
                ["body", "model"], ["body", "messages", 0, "user", "content"], ["body", "temperature"], ["body", "alpha"],
                ["body", "zeta"],
            ])
    }

    @Test func aValidChatRequestDecodesWithEveryField() throws {
        var expected = WireModelTests.everyField
        expected.stream = true
        let body = Array(try JSONCoding.encode(expected))
        let members = try JSONCoding.decode(JSONValue.self, from: body).objectValue?.keys.sorted()
        #expect(members == ChatCompletionRequest.CodingKeys.allCases.map(\.rawValue).sorted())
        #expect(try validator.chatCompletion(body) == expected)
    }

    @Test func laxValuesAreCoercedAsPydanticDoes() throws {
        let request = try validator.chatCompletion(Array("{\(Self.hi),\"temperature\":\"0.5\",\"max_tokens\":\"20\",\"stream\":\"yes\"}".utf8))
        #expect(request.temperature == 0.5)
        #expect(request.maxTokens == 20)
        #expect(request.stream == true)
    }

    @Test func otherSchemasRefuseTheirOwnUnknownMembers() {
        let body = Array(#"{"model":"mistral-embed","input":["a"],"dimensions":8}"#.utf8)
        #expect(throws: RequestValidationError.self) {
            _ = try validator.decode(EmbeddingRequest.self, from: body, schema: RequestSchemas.embedding)
        }
        do {
            _ = try validator.decode(EmbeddingRequest.self, from: body, schema: RequestSchemas.embedding)
        } catch {
            #expect(error.issues.map(\.location) == [["body", "dimensions"]])
        }
    }

    @Test func theAnswerBodyInBothStyles() throws {
        let error = try #require(throws: RequestValidationError.self) {
            try validator.chatCompletion(Array("{\(Self.hi),\"store\":true}".utf8))
        }
        let detail = #"{"detail":[{"input":true,"loc":["body","store"],"msg":"Extra inputs are not permitted","type":"extra_forbidden"}]}"#
        #expect(RequestValidationError.status == 422)
        #expect(String(decoding: error.encodedBody(), as: UTF8.self) == detail)
        #expect(
            String(decoding: error.encodedBody(style: .envelope), as: UTF8.self)
                == #"{"code":null,"message":\#(detail),"object":"error","param":null,"type":"invalid_request_error"}"#)
        #expect(try JSONCoding.decode(JSONValue.self, from: error.encodedBody()) == error.body())
        #expect(error.description == "The request body is invalid: body.store: Extra inputs are not permitted (extra_forbidden)")
    }

    @Test func aClientReadsTheAnswerAsAValidationError() throws {
        let error = try #require(throws: RequestValidationError.self) {
            try validator.chatCompletion(Array("{\(Self.hi),\"temperature\":2,\"top_p\":0}".utf8))
        }
        for style in ValidationErrorStyle.allCases {
            let parsed = ErrorResponse.error(status: 422, headers: HTTPHeaders(), body: error.encodedBody(style: style))
            #expect(parsed.kind == .validation)
            #expect(parsed.validationErrors.map(\.location) == [["body", "temperature"], ["body", "top_p"]])
            #expect(parsed.validationErrors.map(\.type) == ["less_than_equal", "greater_than"])
        }
    }
}
