import Foundation
import MistralTestSupport
import Testing

@testable import MistralKit

/// The in-house JSON engine against Foundation's, and against the RFC's edge cases.
struct JSONParserTests {
    @Test(arguments: [
        (#"{"a":[1,-2,3.5,1e3,-0.25E-2,true,false,null,"x"]}"#, JSONValue.object(["a": [1, -2, 3.5, 1000.0, -0.0025, true, false, nil, "x"]])),
        (#" [ ] "#, [] as JSONValue),
        (#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#, JSONValue.string("\"\\/\u{08}\u{0C}\n\r\t\u{e9}\u{1F600}")),
        (#""café 😀""#, JSONValue.string("café 😀")),
        ("9223372036854775807", JSONValue.int(Int.max)),
        ("9223372036854775808", JSONValue.double(9_223_372_036_854_775_808)),
        (#"{"dup":1,"dup":2}"#, JSONValue.object(["dup": 2])),
    ])
    func parsesValidJSON(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"abc", "\"\u{01}\"", #""\x""#, #""\ud800""#,
        #""\udc00x""#, "{a:1}", "[1 2]", "1 2", "NaN", "[\"\\u12G4\"]",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    /// Random documents: our parse equals Foundation's, value for value.
    @Test func agreesWithFoundationOnRandomDocuments() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let value = randomValue(depth: 0, &generator)
            let text = try JSONCoding.encode(value)
            let ours = try JSONParser.parse(Array(text))
            #expect(ours == value)
            #expect(try JSONDecoder().decode(JSONValue.self, from: text) == ours)
        }
    }

    func randomValue(depth: Int, _ generator: inout SplitMix64) -> JSONValue {
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .int(Int(truncatingIfNeeded: generator.next()) >> Int(generator.next() % 60))
        case 3: return .double(Double(Int(truncatingIfNeeded: generator.next() % 2_000_000) - 1_000_000) / 1024)
        case 4:
            let alphabet = Array("aé😀\"\\\n\t\u{01}z /\u{7F}")
            return .string(String((0..<Int(generator.next() % 12)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        case 5: return .array((0..<Int(generator.next() % 5)).map { _ in randomValue(depth: depth + 1, &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int(generator.next() % 5) { members["k\(index)"] = randomValue(depth: depth + 1, &generator) }
            return .object(members)
        }
    }

    /// Every wire model decodes the same through JSONValueDecoder as through JSONDecoder.
    @Test func decoderAgreesWithJSONDecoderOnWireModels() throws {
        let chunk = #"{"id":"f798","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"t"}]},{"type":"text","text":"x"}],"tool_calls":[{"id":"abcDEF123","function":{"name":"f","arguments":{"a":[1,2.5]}},"index":0}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":0},"extra":{"k":null}}}"#
        try expectSame(ChatCompletionChunk.self, chunk)
        try expectSame(ChatCompletionRequest.self, String(decoding: try JSONCoding.encode(WireModelTests.everyField), as: UTF8.self))
        try expectSame(ModelList.self, #"[{"id":"a","capabilities":{"vision":true,"x":1},"max_context_length":32768,"default_model_temperature":0.7}]"#)
        try expectSame(EmbeddingResponse.self, #"{"id":"e","data":[{"embedding":[0.5,-1,2e-3],"index":0},{"embedding":"AAAA","index":1}]}"#)
        try expectSame(ModerationResponse.self, #"{"id":"m","model":"x","results":[{"categories":{"pii":false},"category_scores":{"pii":0.01}}]}"#)
    }

    func expectSame<T: Decodable & Equatable>(_ type: T.Type, _ text: String) throws {
        let ours = try JSONValueDecoder().decode(type, from: Array(text.utf8))
        let foundation = try JSONDecoder().decode(type, from: Data(text.utf8))
        #expect(ours == foundation)
    }

    @Test func decodingErrorsNameThePath() {
        let text = #"{"choices":[{"index":"zero"}]}"#
        let error = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(ChatCompletionResponse.self, from: Array(text.utf8)) }
        #expect(MistralClient.summary(of: error!) == "expected Int at choices.0.index")
        let missing = #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(ModelCard.self, from: Array("{}".utf8)) }
        #expect(MistralClient.summary(of: missing!) == "missing 'id' at the top level")
    }
}
