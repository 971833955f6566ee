import Foundation
import Testing
@testable import MistralTokenizer

@Suite("Loading reports clear errors for corrupt and unsupported files")
struct TokenizerFileErrorTests {
    func loadError(_ data: Data, named name: String = "tekken.json") throws -> TokenizerError? {
        let url = try SyntheticTokenizerFiles.write(data, named: name)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try Tokenizer.load(contentsOf: url)
            return nil
        } catch let error as TokenizerError {
            return error
        }
    }

    @Test("a small synthetic tekken file loads and round-trips")
    func syntheticTekkenWorks() throws {
        let tokenizer = try Tokenizer(tekkenJSON: SyntheticTokenizerFiles.tekken())
        #expect(tokenizer.format == .tekken)
        #expect(tokenizer.version == .v3)
        #expect(tokenizer.vocabularySize == 256 + 3 + 20)
        #expect(tokenizer.encode("abc") == [20 + 257])
        #expect(tokenizer.encode("ab") == [20 + 256])
        #expect(try tokenizer.decode(tokenizer.encode("xabcab  y\u{1F600}")) == "xabcab  y\u{1F600}")
        #expect(tokenizer.specialTokenID(.beginInstruction) == 3)
        #expect(try tokenizer.decode([1, 20 + 97, 2], keepingSpecialTokens: true) == "<s>a</s>")
    }

    @Test("a small synthetic SentencePiece model loads, merges by score and falls back to bytes")
    func syntheticSentencePieceWorks() throws {
        let url = try SyntheticTokenizerFiles.write(SyntheticTokenizerFiles.sentencePiece(), named: "tokenizer.model.v3")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let tokenizer = try Tokenizer.load(contentsOf: url)
        #expect(tokenizer.format == .sentencePiece)
        #expect(tokenizer.version == .v3)
        let first = 3 + 256
        // "▁abc": "▁a" (score -1) merges first, then "bc" (-2), then "▁abc" (-3).
        #expect(tokenizer.encode("abc") == [first + 2])
        // "é" is no piece: its two UTF-8 bytes become byte pieces.
        #expect(tokenizer.encode("aé") == [first, 3 + 0xC3, 3 + 0xA9])
        #expect(try tokenizer.decode(tokenizer.encode("abc aé")) == "abc aé")
    }

    @Test("a missing file is unreadable")
    func missingFile() {
        #expect {
            try Tokenizer.load(contentsOf: URL(fileURLWithPath: "/nonexistent/tekken.json"))
        } throws: { ($0 as? TokenizerError)?.kind == .unreadableFile }
    }

    @Test("empty and random files are not recognised", arguments: [Data(), Data("hello".utf8), Data([0xFF, 0x00, 0x13])])
    func unrecognized(data: Data) throws {
        #expect(try loadError(data)?.kind == .unrecognizedFormat)
    }

    @Test("truncated or malformed tekken JSON is corrupt")
    func truncatedTekken() throws {
        let full = SyntheticTokenizerFiles.tekken()
        #expect(try loadError(full.prefix(full.count / 2))?.kind == .corruptFile)
        #expect(try loadError(Data("{\"config\": {}}".utf8))?.kind == .corruptFile)
        #expect(try loadError(Data("{\"vocab\": []}".utf8))?.kind == .corruptFile)
    }

    @Test("bad base64, out-of-order ranks and duplicate tokens are corrupt")
    func corruptVocabulary() throws {
        #expect(try loadError(SyntheticTokenizerFiles.tekken(extraVocab: [(259, "!!!")]))?.kind == .corruptFile)
        #expect(try loadError(SyntheticTokenizerFiles.tekken(extraVocab: [(300, "YQ==")]))?.kind == .corruptFile)
        #expect(try loadError(SyntheticTokenizerFiles.tekken(merges: ["ab", "ab"]))?.kind == .corruptFile)
    }

    @Test("an unknown version is unsupported")
    func unknownVersion() throws {
        let error = try loadError(SyntheticTokenizerFiles.tekken(version: "v99"))
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.description.contains("v99") == true)
    }

    @Test("another pre-tokenizer pattern is refused rather than encoded differently")
    func otherPattern() throws {
        #expect(try loadError(SyntheticTokenizerFiles.tekken(pattern: #"\w+|\s+"#))?.kind == .unsupportedFeature)
    }

    @Test("files after v7 must list their special tokens, without duplicates")
    func specialTokensRequired() throws {
        #expect(try loadError(SyntheticTokenizerFiles.tekken(version: "v11"))?.kind == .corruptFile)
        #expect(try loadError(SyntheticTokenizerFiles.tekken(version: "v11", specialTokens: ["<unk>", "<s>", "<s>"]))?.kind == .corruptFile)
        let listed = try Tokenizer(tekkenJSON: SyntheticTokenizerFiles.tekken(version: "v13", specialTokens: ["<unk>", "<s>", "</s>", "[INST]"]))
        #expect(listed.version == .v13)
        #expect(listed.specialTokenID(.beginInstruction) == 3)
        #expect(listed.specialTokenID(.beginThink) == nil)
        #expect(try listed.decode([4], keepingSpecialTokens: true) == "<SPECIAL_4>")
    }

    @Test("truncated SentencePiece models are corrupt")
    func truncatedSentencePiece() throws {
        let full = SyntheticTokenizerFiles.sentencePiece()
        #expect(try loadError(full.prefix(full.count - 7), named: "tokenizer.model.v3")?.kind == .corruptFile)
        #expect(try loadError(full.prefix(40), named: "tokenizer.model.v3")?.kind == .corruptFile)
    }

    @Test("a SentencePiece file name without a known version is refused")
    func sentencePieceVersionFromName() throws {
        #expect(try loadError(SyntheticTokenizerFiles.sentencePiece(), named: "tokenizer.model.v99")?.kind == .unsupportedVersion)
        let url = try SyntheticTokenizerFiles.write(SyntheticTokenizerFiles.sentencePiece(), named: "tokenizer.model")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        #expect(try Tokenizer.load(contentsOf: url).version == .v1)
    }

    @Test("decoding an id outside the vocabulary fails clearly")
    func invalidTokenID() throws {
        let tokenizer = try Tokenizer(tekkenJSON: SyntheticTokenizerFiles.tekken())
        #expect { try tokenizer.decode([5, 100_000]) } throws: { ($0 as? TokenizerError)?.kind == .invalidTokenID }
        #expect { try tokenizer.decode([-1]) } throws: { ($0 as? TokenizerError)?.kind == .invalidTokenID }
    }

    @Test("v1 has no FIM and no tools")
    func versionLimits() throws {
        let url = try SyntheticTokenizerFiles.write(SyntheticTokenizerFiles.sentencePiece(), named: "tokenizer.model.v1")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let tokenizer = try Tokenizer.load(contentsOf: url)
        #expect { try tokenizer.encodeFIM(prefix: "a", suffix: "b") } throws: { ($0 as? TokenizerError)?.kind == .unsupportedFeature }
        let request = ChatRequest(messages: [.user("q"), .assistant(toolCalls: [ChatRequest.ToolCall(id: "abcDEF123", name: "f", arguments: "{}")]), .tool("r", callID: "abcDEF123")])
        #expect { try tokenizer.encodeChat(request) } throws: { ($0 as? TokenizerError)?.kind == .unsupportedFeature }
    }
}
