import Foundation
import MistralTestSupport
import Testing

/// `mistral tokens`: the built binary, checked against mistral-common's outputs (from the
/// tokenizer reference) and for one clear line on every failure.
struct TokensCommandTests {
    /// ArgumentParser's exit status for a `ValidationError` (EX_USAGE).
    static let usageStatus: Int32 = 64

    func tokens(_ arguments: [String], stdin: String? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), ["tokens"] + arguments, stdin: stdin)
    }

    /// Expects a failure reported as exactly one `error: ...` line on stderr.
    func expectOneErrorLine(_ result: ProcessResult, status: Int32 = 1, containing parts: [String]) {
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        for part in parts { #expect(result.stderr.contains(part), "\(result.stderr)") }
    }

    // MARK: Without a tokenizer file

    @Test func countWithoutATokenizerPrintsTheEstimateAndSaysSo() async throws {
        let result = try await tokens(["count", "abcdefghijklmn"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "5\n")
        #expect(result.stderr.contains("estimate") && result.stderr.contains("--tokenizer"))
    }

    @Test func aChatRequestIsEstimatedToo() async throws {
        let result = try await tokens(["count", "--chat", "-"], stdin: #"{"model": "m", "messages": [{"role": "user", "content": "Hello there"}]}"#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((Int(result.stdout.dropLast()) ?? 0) > 3)
        #expect(result.stderr.contains("estimate"))
    }

    @Test(arguments: [
        (#"{"messages": [{"role": "user", "content": "hi"}"#, ["invalid request: not valid JSON", "(standard input)"]),
        (#"{"messages": [{"role": "developer", "content": "hi"}]}"#, [#"messages[0].role "developer" is not one of"#]),
        (#"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "https://x/y.png"}]}]}"#,
         [#"unsupported feature: messages[0].content[0] is a chunk of type "image_url""#]),
    ])
    func badChatRequestsAreOneErrorLine(body: String, parts: [String]) async throws {
        expectOneErrorLine(try await tokens(["count", "--chat", "-"], stdin: body), containing: parts)
    }

    @Test func aChatFileIsNamedInItsErrors() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("chat.json")
            try Data(#"{"messages": 3}"#.utf8).write(to: file)
            expectOneErrorLine(try await tokens(["count", "--chat", file.path]), containing: ["messages must be an array of messages", "(\(file.path))"])
            let missing = directory.appendingPathComponent("missing.json").path
            expectOneErrorLine(try await tokens(["count", "--chat", missing]), containing: ["unreadable file: cannot read the chat request", missing])
        }
    }

    @Test func missingAndCorruptTokenizerFilesAreOneErrorLine() async throws {
        try await withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("tekken.json").path
            expectOneErrorLine(try await tokens(["encode", "--tokenizer", missing, "hi"]), containing: ["unreadable file", missing])
            let corrupt = directory.appendingPathComponent("corrupt.json")
            try Data(#"{"config": {"version": "v3""#.utf8).write(to: corrupt)
            expectOneErrorLine(try await tokens(["count", "--tokenizer", corrupt.path, "hi"]), containing: ["corrupt file: the tekken file is not valid JSON", corrupt.path])
            let garbage = directory.appendingPathComponent("tokenizer.model.v3")
            try Data("not a tokenizer".utf8).write(to: garbage)
            expectOneErrorLine(try await tokens(["decode", "--tokenizer", garbage.path, "1"]), containing: ["unrecognized format", garbage.path])
        }
    }

    @Test(arguments: [
        (["encode", "hi"], "Missing --tokenizer"),
        (["decode", "1", "2"], "Missing --tokenizer"),
        (["count", "--chat", "chat.json", "some text"], "either a text or --chat"),
    ])
    func usageErrorsAreRejectedBeforeAnyWork(arguments: [String], message: String) async throws {
        let result = try await tokens(arguments)
        #expect(result.status == Self.usageStatus, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    // MARK: Against mistral-common

    @Test(.referenceAvailable, arguments: TokenizerReference.testedFiles)
    func textsEncodeDecodeAndCountLikeMistralCommon(file: String) async throws {
        let reference = try TokenizerReference.shared.get()
        let path = reference.path(file)
        let (bos, eos) = try reference.specialIDs(file)
        func line(_ ids: [Int]) -> String { ids.map(String.init).joined(separator: " ") + "\n" }
        for index in TokenizerReference.sampleTexts {
            let (text, ids) = (reference.corpus[index], try reference.encoded(file, index))
            let encoded = try await tokens(["encode", "--tokenizer", path, text])
            #expect(encoded.status == 0 && encoded.stdout == line(ids), "\(file) #\(index): \(encoded.stderr)")
            let decoded = try await tokens(["decode", "--tokenizer", path] + ids.map(String.init))
            #expect(decoded.stdout == (try reference.decoded(file, index)) + "\n", "\(file) #\(index)")
            let count = try await tokens(["count", "--tokenizer", path, text])
            #expect(count.stdout == "\(ids.count)\n" && count.stderr.isEmpty, "\(file) #\(index): \(count.stderr)")
        }
        // Standard input, once each: every run loads the tokenizer file again.
        let first = TokenizerReference.sampleTexts[0]
        let ids = try reference.encoded(file, first)
        let framed = try await tokens(["encode", "--tokenizer", path, "--bos", "--eos"], stdin: reference.corpus[first])
        #expect(framed.stdout == line([bos] + ids + [eos]), "\(file)")
        let pasted = try await tokens(["decode", "--tokenizer", path], stdin: "[" + ids.map(String.init).joined(separator: ", ") + "]\n")
        #expect(pasted.stdout == (try reference.decoded(file, first)) + "\n", "\(file)")
        let tooLarge = try await tokens(["decode", "--tokenizer", path, "1", "99999999"])
        expectOneErrorLine(tooLarge, containing: ["invalid token id: token id 99999999 is outside the vocabulary"])
        let notANumber = try await tokens(["decode", "--tokenizer", path], stdin: "1, 2, x3")
        expectOneErrorLine(notANumber, containing: [#"invalid token id: "x3" is not a token id"#])
    }

    @Test(.referenceAvailable, arguments: TokenizerReference.testedFiles)
    func chatRequestFilesCountLikeMistralCommon(file: String) async throws {
        let reference = try TokenizerReference.shared.get()
        try await withTemporaryDirectory { directory in
            for name in TokenizerReference.sampleChats {
                let chat = try reference.chat(name, file)
                let body = directory.appendingPathComponent("request.json")
                try Data(chat.body.utf8).write(to: body)
                let result = try await tokens(["count", "--tokenizer", reference.path(file), "--chat", body.path])
                if let expected = chat.tokenCount {
                    #expect(result.status == 0 && result.stdout == "\(expected)\n", "\(file) '\(name)': \(result.stderr)")
                } else {
                    expectOneErrorLine(result, containing: ["(\(body.path))"])
                }
            }
        }
    }
}

/// mistral-common's outputs from scripts/setup-tokenizer-reference.sh, found through
/// `MISTRALKIT_TOKENIZER_DIR` (or the script's default cache), read with Foundation alone.
struct TokenizerReference: Sendable {
    let directory: URL
    let corpus: [String]
    /// Per tokenizer file: bos, eos, the ids and decoded text of each corpus text, and the token
    /// count of each chat case (`nil` when mistral-common refuses it).
    let files: [String: (bos: Int, eos: Int, encoded: [[Int]], decoded: [String], chatTokens: [Int?])]
    /// The chat cases' names and API request bodies, in order.
    let chats: [(name: String, body: String)]

    /// A SentencePiece file and a tekken file (v15, which renders model settings); each run of
    /// the binary loads its file again, so a few cover the command without slowing the suite.
    static let testedFiles = ["mistral_instruct_tokenizer_240323.model.v3", "tekken_derived_v15.json"]
    /// Chinese and emoji (multi-byte characters, merges across them): indices into the fixture corpus.
    static let sampleTexts = [13, 21]
    static let sampleChats = ["system and user", "tool call and result", "thinking", "json schema format", "invalid last assistant"]

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    static let shared: Result<TokenizerReference, Unavailable> = {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["MISTRALKIT_TOKENIZER_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/mistralkit/tokenizer-reference")
        let fixtures = directory.appendingPathComponent("fixtures.json")
        do {
            return .success(try TokenizerReference(directory: directory, fixtures: try Data(contentsOf: fixtures)))
        } catch {
            return .failure(Unavailable(description: "cannot read \(fixtures.path) (\(error.localizedDescription)); run scripts/setup-tokenizer-reference.sh and set MISTRALKIT_TOKENIZER_DIR"))
        }
    }()

    /// Run when the reference is there, or when its absence must fail (as in scripts/test.sh).
    static var shouldRun: Bool {
        if case .success = shared { return true }
        return ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] != nil
    }

    init(directory: URL, fixtures: Data) throws {
        self.directory = directory
        let root = try JSONSerialization.jsonObject(with: fixtures) as? [String: Any] ?? [:]
        corpus = root["corpus"] as? [String] ?? []
        chats = (root["chat_cases"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["wire"] as? String ?? "") }
        var files: [String: (bos: Int, eos: Int, encoded: [[Int]], decoded: [String], chatTokens: [Int?])] = [:]
        for (name, value) in root["tokenizers"] as? [String: [String: Any]] ?? [:] {
            files[name] = (
                value["bos_id"] as? Int ?? -1, value["eos_id"] as? Int ?? -1,
                value["encoded"] as? [[Int]] ?? [], value["decoded"] as? [String] ?? [],
                (value["chats"] as? [[String: Any]] ?? []).map { ($0["tokens"] as? [Int])?.count })
        }
        self.files = files
    }

    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    private func outputs(_ file: String) throws -> (bos: Int, eos: Int, encoded: [[Int]], decoded: [String], chatTokens: [Int?]) {
        guard let outputs = files[file] else { throw Unavailable(description: "fixtures.json has nothing for \(file)") }
        return outputs
    }

    func encoded(_ file: String, _ index: Int) throws -> [Int] { try outputs(file).encoded[index] }
    func decoded(_ file: String, _ index: Int) throws -> String { try outputs(file).decoded[index] }
    func specialIDs(_ file: String) throws -> (bos: Int, eos: Int) { (try outputs(file).bos, try outputs(file).eos) }

    func chat(_ name: String, _ file: String) throws -> (body: String, tokenCount: Int?) {
        guard let index = chats.firstIndex(where: { $0.name == name }) else { throw Unavailable(description: "no chat case '\(name)'") }
        return (chats[index].body, try outputs(file).chatTokens[index])
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test only when the tokenizer reference is there (or its absence must fail).
    static var referenceAvailable: Self { .enabled(if: TokenizerReference.shouldRun, "tokenizer reference not available") }
}
