import Foundation
import Testing
@testable import MistralTokenizer

@Suite("JSON is re-serialised byte for byte as Python's json.dumps(ensure_ascii=False)")
struct PythonJSONTests {
    @Test("values print as Python prints them", arguments: [
        (#"{"b": 1, "a": [true, false, null]}"#, #"{"b": 1, "a": [true, false, null]}"#),
        (#"{"a":1,"b":{"c":[]},"d":{}}"#, #"{"a": 1, "b": {"c": []}, "d": {}}"#),
        ("1e16", "1e+16"), ("1E15", "1000000000000000.0"), ("0.0001", "0.0001"), ("0.00001", "1e-05"),
        ("-0.0", "-0.0"), ("-0", "0"), ("1E5", "100000.0"), ("1.5e-7", "1.5e-07"), ("0.1", "0.1"),
        ("123456789012345678901234567890", "123456789012345678901234567890"), ("2.5", "2.5"),
        ("1e400", "Infinity"), ("NaN", "NaN"), ("-Infinity", "-Infinity"), ("12345678.901", "12345678.901"),
        (#""tab\there \u0001 \"q\" \\ é 😀 \ud83d\ude00 \u2028""#, "\"tab\\there \\u0001 \\\"q\\\" \\\\ é 😀 😀 \u{2028}\""),
        (#"{"dup": 1, "x": 2, "dup": 3}"#, #"{"dup": 3, "x": 2}"#),
        (" [ 1 , 2 ] ", "[1, 2]"),
    ])
    func serialises(input: String, expected: String) throws {
        #expect(try OrderedJSON(parsing: input).pythonJSON == expected)
    }

    @Test("text Python's json.loads rejects is rejected", arguments: [
        "", "{", "[1,]", "{'a': 1}", "\"raw\ncontrol\"", "01", "1.", ".5", "{\"a\" 1}", "[1] 2", "tru", "\"\\x\"",
    ])
    func rejects(input: String) {
        #expect(throws: TokenizerError.self) { try OrderedJSON(parsing: input) }
    }
}

@Suite("JSON matches Python on random floats", .referenceAvailable)
struct PythonJSONReferenceTests {
    @Test("every fixture text re-serialises as Python's json module does")
    func matchesPython() throws {
        let directory = try ReferenceFixtures.get().directory
        let data = try Data(contentsOf: directory.appendingPathComponent("fixtures.json"))
        let root = try OrderedJSON(parsing: String(decoding: data, as: UTF8.self))
        guard case .array(let pairs)? = root["json_roundtrips"] else { Issue.record("fixtures.json has no json_roundtrips"); return }
        #expect(pairs.count > 300)
        for pair in pairs {
            guard case .array(let items) = pair, let input = items.first?.stringValue, let expected = items.last?.stringValue else { continue }
            #expect(try OrderedJSON(parsing: input).pythonJSON == expected, "\(input)")
        }
    }
}
