import Foundation
import Testing
@testable import MistralTokenizer

@Suite("Chat and FIM rendering match mistral-common", .referenceAvailable)
struct ChatRenderingTests {
    @Test("every chat case, built in Swift and read from its API body, renders to mistral-common's tokens or is refused like there",
          arguments: ReferenceFixtures.tokenizerFiles)
    func rendersChatsLikeReference(file: String) throws {
        let (fixtures, tokenizer, expected) = try ReferenceFixtures.reference(file)
        for (chat, want) in zip(fixtures.chatCases, try expected.list("chats")) {
            let label = "\(file) \(tokenizer.version) '\(chat.name)'"
            let fromJSON = try ChatRequest(json: Data(chat.wire.utf8))
            guard let wantedTokens = want["tokens"]?.intArray else {
                let refusal = want["error"]?.stringValue ?? ""
                #expect(throws: TokenizerError.self, "\(label): mistral-common refuses it with \(refusal)") { try tokenizer.encodeChat(chat.request) }
                #expect(throws: TokenizerError.self, "\(label) from JSON: mistral-common refuses it with \(refusal)") { try tokenizer.encodeChat(fromJSON) }
                continue
            }
            do {
                let tokens = try tokenizer.encodeChat(chat.request)
                let rendered = try tokenizer.decode(tokens, keepingSpecialTokens: true)
                #expect(tokens == wantedTokens, "\(label)\n got  \(rendered.debugDescription)\n want \(want["text"]?.stringValue?.debugDescription ?? "")")
                if tokens == wantedTokens {
                    #expect(rendered == want["text"]?.stringValue)
                }
                #expect(try tokenizer.encodeChat(fromJSON) == wantedTokens, "\(label) from JSON")
            } catch {
                Issue.record("\(label) threw \(error), mistral-common renders it")
            }
        }
    }

    @Test("fill-in-the-middle requests render to mistral-common's tokens", arguments: ReferenceFixtures.tokenizerFiles)
    func rendersFIMLikeReference(file: String) throws {
        let (fixtures, tokenizer, expected) = try ReferenceFixtures.reference(file)
        for ((prefix, suffix), want) in zip(fixtures.fimCases, try expected.list("fim")) {
            if let wantedTokens = want["tokens"]?.intArray {
                #expect(try tokenizer.encodeFIM(prefix: prefix, suffix: suffix) == wantedTokens, "\(file): \(prefix.debugDescription)")
            } else {
                #expect(throws: TokenizerError.self) { try tokenizer.encodeFIM(prefix: prefix, suffix: suffix) }
            }
        }
    }
}
