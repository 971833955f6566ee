@testable import MistralGateway
import MistralKit
import Testing

/// The OpenAI dialect's members are found without parsing bodies that have none.
struct OpenAIDialectTests {
    @Test(arguments: [
        (#"{"model":"m","messages":[{"role":"user","content":"Hi"}]}"#, false),
        (#"{"model":"m","messages":[{"role":"user","content":"Hi"}],"user":"u1"}"#, true),
        (#"{"model":"m","messages":[],"user" : "u1"}"#, true),
        (#"{"model":"m","messages":[],"seed":3}"#, true),
        (#"{"model":"m","messages":[],"max_completion_tokens":3}"#, true),
        (#"{"model":"m","messages":[],"stream_options":{"include_usage":true}}"#, true),
        (#"{"model":"m","messages":[],"tool_choice":"required"}"#, true),
        (#"{"model":"m","messages":[{"role":"user","content":"say \"seed\""}]}"#, false),  // escaped quotes in text
        (#"{"model":"m","messages":[{"role":"user","content":"\"seed\" is it"}]}"#, false),
        // A text that spells a member name is a false alarm: it costs one parse, and the
        // translation then finds nothing at the top level to change.
        (#"{"model":"m","messages":[{"role":"user","content":"seed"}]}"#, true),
        (#""#, false),
    ])
    func translationIsNeededOnlyWhenAMemberMayBeThere(body: String, expected: Bool) {
        #expect(OpenAIDialect.needsTranslation(Array(body.utf8)) == expected)
    }

    @Test func theTranslationKeepsEverythingElse() throws {
        let body = try JSONParser.parse(Array(#"{"model":"m","messages":[],"max_completion_tokens":9,"seed":1,"user":"u","tool_choice":"required","stream_options":{}}"#.utf8))
        let (translated, user) = OpenAIDialect.translate(body)
        #expect(user == "u")
        #expect(translated == ["model": "m", "messages": [], "max_tokens": 9, "random_seed": 1, "tool_choice": "any"])
    }
}
