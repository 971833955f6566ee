import Foundation
import Testing
@testable import MistralTokenizer

/// mistral-common's expected outputs and the tokenizer files they came from.
///
/// Found through `MISTRALKIT_TOKENIZER_DIR` (set by scripts/test.sh); without it the tests run
/// scripts/setup-tokenizer-reference.sh themselves. When that fails too the reference tests are
/// skipped, unless `MISTRALKIT_REQUIRE_PEERS` is set, in which case they fail with the reason.
struct ReferenceFixtures: Sendable {
    let directory: URL
    let corpus: [String]
    let chatCases: [ChatCase]
    let fimCases: [(prefix: String, suffix: String?)]
    /// The tokenizer files mistral-common's outputs are for, in the fixture script's order.
    let fileNames: [String]
    let expectations: [String: OrderedJSON]

    /// One chat case: built in Swift from the script's neutral shape, and as the text of the
    /// Mistral API request body (`wire`) the script derived from it.
    struct ChatCase: Sendable {
        var name: String
        var request: ChatRequest
        var wire: String
    }

    /// The tokenizer files to test, as listed in fixtures.json. Without the reference, one
    /// placeholder: the suites are then disabled, or (with `MISTRALKIT_REQUIRE_PEERS`) each test
    /// fails once with the reason instead of silently running no case.
    static let tokenizerFiles: [String] = (try? shared.get().fileNames) ?? ["(reference unavailable)"]

    static let requireReference = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] != nil

    static let shared: Result<ReferenceFixtures, ReferenceUnavailable> = {
        do {
            return .success(try load(from: try locateDirectory()))
        } catch let error as ReferenceUnavailable {
            return .failure(error)
        } catch {
            return .failure(ReferenceUnavailable(reason: "\(error)"))
        }
    }()

    /// Whether reference tests should run: the reference is there, or its absence must fail.
    static var shouldRun: Bool {
        if case .success = shared { return true }
        return requireReference
    }

    static func get() throws -> ReferenceFixtures { try shared.get() }

    struct ReferenceUnavailable: Error, CustomStringConvertible {
        var reason: String
        var description: String { "mistral-common reference unavailable: \(reason)" }
    }

    static func locateDirectory() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["MISTRALKIT_TOKENIZER_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // The package root, through any symlinked test directory.
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/setup-tokenizer-reference.sh")
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw ReferenceUnavailable(reason: "MISTRALKIT_TOKENIZER_DIR is not set and \(script.path) does not exist")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", script.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last else {
            throw ReferenceUnavailable(reason: "scripts/setup-tokenizer-reference.sh failed with status \(process.terminationStatus)")
        }
        return URL(fileURLWithPath: String(line))
    }

    static func load(from directory: URL) throws -> ReferenceFixtures {
        let data = try Data(contentsOf: directory.appendingPathComponent("fixtures.json"))
        let root = try OrderedJSON(parsing: String(decoding: data, as: UTF8.self))
        guard case .array(let corpusValues)? = root["corpus"], case .array(let caseValues)? = root["chat_cases"],
              case .array(let fimValues)? = root["fim_cases"], case .object(let tokenizers)? = root["tokenizers"] else {
            throw ReferenceUnavailable(reason: "fixtures.json lacks corpus, chat_cases, fim_cases or tokenizers")
        }
        return ReferenceFixtures(
            directory: directory,
            corpus: corpusValues.map { $0.stringValue ?? "" },
            chatCases: try caseValues.map { ChatCase(name: $0["name"]?.stringValue ?? "?", request: try chatRequest($0), wire: $0["wire"]?.stringValue ?? "") },
            fimCases: fimValues.map { ($0["prefix"]?.stringValue ?? "", $0["suffix"]?.stringValue) },
            fileNames: tokenizers.map(\.key),
            expectations: Dictionary(uniqueKeysWithValues: tokenizers.map { ($0.key, $0.value) })
        )
    }

    /// What a test of one tokenizer file starts from: the fixtures, the loaded tokenizer, and
    /// mistral-common's outputs for it.
    static func reference(_ file: String) throws -> (fixtures: ReferenceFixtures, tokenizer: Tokenizer, expected: OrderedJSON) {
        let fixtures = try get()
        guard let expected = fixtures.expectations[file] else { throw ReferenceUnavailable(reason: "fixtures.json has no outputs for \(file)") }
        return (fixtures, try tokenizer(file), expected)
    }

    /// Reads the fixture script's neutral chat shape into this module's request types.
    static func chatRequest(_ value: OrderedJSON) throws -> ChatRequest {
        func content(_ value: OrderedJSON?) -> ChatRequest.MessageContent? {
            switch value {
            case .string(let text)?: return .text(text)
            case .array(let chunks)?:
                return .chunks(chunks.map { chunk in
                    if chunk["type"]?.stringValue == "thinking" {
                        return .thinking(chunk["thinking"]?.stringValue ?? "", closed: chunk["closed"] == .bool(true))
                    }
                    return .text(chunk["text"]?.stringValue ?? "")
                })
            default: return nil
            }
        }
        guard case .array(let messageValues)? = value["messages"] else { throw ReferenceUnavailable(reason: "chat case without messages") }
        let messages = messageValues.map { message -> ChatRequest.Message in
            var calls: [ChatRequest.ToolCall] = []
            if case .array(let callValues)? = message["tool_calls"] {
                calls = callValues.map {
                    ChatRequest.ToolCall(id: $0["id"]?.stringValue ?? "null", name: $0["name"]?.stringValue ?? "", arguments: $0["arguments"]?.stringValue ?? "")
                }
            }
            return ChatRequest.Message(
                role: ChatRequest.Message.Role(rawValue: message["role"]?.stringValue ?? "") ?? .user,
                content: content(message["content"]),
                toolCalls: calls,
                toolCallID: message["tool_call_id"]?.stringValue,
                name: message["name"]?.stringValue,
                isPrefix: message["prefix"] == .bool(true))
        }
        var tools: [ChatRequest.Tool] = []
        if case .array(let toolValues)? = value["tools"] {
            tools = toolValues.map {
                ChatRequest.Tool(name: $0["name"]?.stringValue ?? "", description: $0["description"]?.stringValue ?? "", parameters: $0["parameters"] ?? .object([]))
            }
        }
        var format = ChatRequest.ResponseFormat.text
        if let formatValue = value["response_format"] {
            switch formatValue["type"]?.stringValue {
            case "json_object": format = .jsonObject
            case "json_schema": format = .jsonSchema(name: formatValue["name"]?.stringValue ?? "", schema: formatValue["schema"] ?? .null)
            default: break
            }
        }
        return ChatRequest(
            messages: messages, tools: tools,
            reasoningEffort: value["reasoning_effort"]?.stringValue.flatMap(ChatRequest.ReasoningEffort.init(rawValue:)),
            responseFormat: format)
    }

    /// Loaded tokenizers, one per file, shared by the tests.
    static let tokenizers: [String: Result<Tokenizer, any Error>] = {
        guard case .success(let fixtures) = shared else { return [:] }
        var loaded: [String: Result<Tokenizer, any Error>] = [:]
        for name in fixtures.fileNames {
            loaded[name] = Result { try Tokenizer.load(contentsOf: fixtures.directory.appendingPathComponent(name)) }
        }
        return loaded
    }()

    static func tokenizer(_ name: String) throws -> Tokenizer {
        guard let result = tokenizers[name] else { throw ReferenceUnavailable(reason: "no tokenizer \(name)") }
        return try result.get()
    }
}

extension OrderedJSON {
    /// The list `key` of mistral-common's outputs for one file ("encoded", "chats", ...).
    func list(_ key: String) throws -> [OrderedJSON] {
        guard case .array(let values)? = self[key] else { throw ReferenceFixtures.ReferenceUnavailable(reason: "fixtures.json lacks \(key)") }
        return values
    }

    /// The integers of a JSON array of integers.
    var intArray: [Int]? {
        guard case .array(let values) = self else { return nil }
        var result: [Int] = []
        for value in values {
            guard case .integer(let digits) = value, let number = Int(digits) else { return nil }
            result.append(number)
        }
        return result
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test or suite only when the mistral-common reference is there (or its absence must fail).
    static var referenceAvailable: Self { .enabled(if: ReferenceFixtures.shouldRun, "mistral-common reference not available") }
}
