import Foundation
import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

/// The `mistral` binary end to end against an in-process emulator on a free port.
struct CLIEmulatorTests {
    func mistral(_ arguments: [String], baseURL: String, key: String = "test-key", stdin: String? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(
            try ProcessRunner.builtProduct("mistral"), arguments + ["--base-url", baseURL, "--api-key", key], stdin: stdin)
    }

    @Test func streamedChatPrintsTheAnswer() async throws {
        try await withEmulator { url, emulator in
            let result = try await mistral(["chat", "What is the capital of France?"], baseURL: url)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "The capital of France is Paris.\n")
            let body = try #require(emulator.requestLog.last?.json)
            #expect(body["stream"] == .bool(true))
            #expect(body["model"] == "mistral-small-latest")
        }
    }

    @Test func systemPromptAndOptionsAreSent() async throws {
        try await withEmulator { url, emulator in
            let result = try await mistral(
                ["chat", "--system", "Be formal.", "--temperature", "0.2", "--max-tokens", "5", "--model", "ministral-8b-latest", "Hi"],
                baseURL: url)
            #expect(result.status == 0, "\(result.stderr)")
            let body = try #require(emulator.requestLog.last?.json)
            #expect(body["messages"] == [["role": "system", "content": "Be formal."], ["role": "user", "content": "Hi"]])
            #expect(body["temperature"] == 0.2 && body["max_tokens"] == 5 && body["model"] == "ministral-8b-latest")
        }
    }

    @Test func jsonWithoutStreamingIsTheWholeResponse() async throws {
        try await withEmulator { url, _ in
            let result = try await mistral(["chat", "--no-stream", "--json", "What is the capital of France?"], baseURL: url)
            #expect(result.status == 0, "\(result.stderr)")
            let response = try JSONCoding.decode(ChatCompletionResponse.self, from: Array(result.stdout.utf8))
            #expect(response.text == "The capital of France is Paris.")
            #expect(response.usage?.promptTokens == 7)
        }
    }

    @Test func interactiveSessionKeepsAndResetsHistory() async throws {
        try await withEmulator { url, emulator in
            let script = "What is the capital of France?\nAnd its population?\n/reset\nHello\n/exit\nnever sent\n"
            let result = try await mistral(["chat", "--system", "Be brief."], baseURL: url, stdin: script)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("The capital of France is Paris.\n"))
            let requests = emulator.requestLog.requests(path: "/v1/chat/completions")
            #expect(requests.count == 3)
            let roles = requests.map { ($0.json?["messages"]?.arrayValue ?? []).map { $0["role"]?.stringValue ?? "?" } }
            #expect(roles == [["system", "user"], ["system", "user", "assistant", "user"], ["system", "user"]])
            #expect(requests[1].json?["messages"]?.arrayValue?[2]["content"] == "The capital of France is Paris.")
        }
    }

    @Test func aCutStreamPrintsWhatArrivedThenSaysItWasCut() async throws {
        try await withEmulator(configuration: EmulatorConfiguration(faultSchedule: [.cutStream(afterChunks: 4)])) { url, _ in
            let result = try await mistral(["chat", "What is the capital of France?"], baseURL: url)
            #expect(result.status == 1)
            #expect(!result.stdout.isEmpty && "The capital of France is Paris.".hasPrefix(result.stdout.trimmingCharacters(in: .newlines)))
            #expect(result.stdout.hasSuffix("\n"))
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("error: Stream truncated") == true, "\(result.stderr)")
        }
    }

    @Test func aRejectedKeyIsOneLineWithAHint() async throws {
        try await withEmulator(configuration: EmulatorConfiguration(acceptedAPIKeys: ["good-key"])) { url, _ in
            let result = try await mistral(["chat", "Hi"], baseURL: url, key: "bad-key")
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("error: Authentication failed (HTTP 401): Unauthorized"), "\(result.stderr)")
            #expect(result.stderr.contains("MISTRAL_API_KEY"))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func serverErrorsNameTheStatusAndType() async throws {
        try await withEmulator(configuration: EmulatorConfiguration(faultSchedule: [.status(429, retryAfter: 3)])) { url, _ in
            let result = try await mistral(["chat", "--no-stream", "--retries", "0", "Hi"], baseURL: url)
            #expect(result.status == 1)
            #expect(result.stderr.contains("Rate limited (HTTP 429)"), "\(result.stderr)")
            #expect(result.stderr.contains("type rate_limited, code 1300"))
            #expect(result.stderr.contains("Retry after 3 s"))
        }
    }

    @Test func aRateLimitIsRetriedAfterTheServersRetryAfter() async throws {
        try await withEmulator(configuration: EmulatorConfiguration(faultSchedule: [.status(429, retryAfter: 1)])) { url, emulator in
            let started = ContinuousClock.now
            let result = try await mistral(["chat", "--no-stream", "What is the capital of France?"], baseURL: url)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "The capital of France is Paris.\n")
            #expect(emulator.requestLog.count == 2)
            #expect(ContinuousClock.now - started >= .seconds(1))
        }
    }

    @Test func usageIsRecordedAndReportedByTag() async throws {
        try await withTemporaryDirectory { directory in
            let ledger = directory.appendingPathComponent("usage.jsonl").path
            try await withEmulator { url, _ in
                for user in ["alice", "bob", "alice"] {
                    let result = try await ProcessRunner.run(
                        try ProcessRunner.builtProduct("mistral"),
                        ["chat", "--tag", "user=\(user)", "--tag", "feature=cli-test", "What is the capital of France?", "--base-url", url, "--api-key", "k"],
                        environment: ["MISTRAL_USAGE_LEDGER": ledger])
                    #expect(result.status == 0, "\(result.stderr)")
                }
            }
            let csv = try await ProcessRunner.run(
                try ProcessRunner.builtProduct("mistral"), ["usage", "--ledger", ledger, "--by", "tag:user", "--format", "csv"])
            #expect(csv.status == 0, "\(csv.stderr)")
            let lines = csv.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "tag:user,requests,failed,prompt_tokens,completion_tokens,cached_tokens,cost_usd,unpriced,estimated")
            // The canned answer is 7 prompt and 7 completion tokens; mistral-small costs $0.15 and $0.60 per million.
            let alice = try #require(lines.first { $0.hasPrefix("alice,") }).split(separator: ",")
            let bob = try #require(lines.first { $0.hasPrefix("bob,") }).split(separator: ",")
            #expect(alice[1...5] == ["2", "0", "14", "14", "0"])
            #expect(bob[1...5] == ["1", "0", "7", "7", "0"])
            #expect(abs(Double(alice[6])! - 2 * 5.25e-6) < 1e-6)
            #expect(abs(Double(bob[6])! - 5.25e-6) < 1e-6)
            let table = try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), ["usage", "--ledger", ledger])
            #expect(table.stdout.contains("mistral-small-latest"), "\(table.stdout)")
            #expect(table.stdout.contains("This month: $0.000016 spent"))
            let json = try await ProcessRunner.run(
                try ProcessRunner.builtProduct("mistral"), ["usage", "--ledger", ledger, "--by", "total", "--format", "json"])
            let document = try JSONCoding.decode(JSONValue.self, from: Array(json.stdout.utf8))
            #expect(document["total"]?["requests"] == 3)
            #expect(document["total"]?["prompt_tokens"] == 21)
        }
    }

    @Test func aMonthlyBudgetRefusesBeforeSending() async throws {
        try await withTemporaryDirectory { directory in
            let ledger = directory.appendingPathComponent("usage.jsonl").path
            try await withEmulator { url, emulator in
                let result = try await ProcessRunner.run(
                    try ProcessRunner.builtProduct("mistral"),
                    ["chat", "--monthly-budget", "0.0000001", "--max-tokens", "100", "Hi", "--base-url", url, "--api-key", "k"],
                    environment: ["MISTRAL_USAGE_LEDGER": ledger])
                #expect(result.status == 1)
                #expect(result.stderr.contains("Budget exceeded"), "\(result.stderr)")
                #expect(emulator.requestLog.count == 0)
            }
        }
    }

    @Test func verboseTracesTheRequestWithoutTheKey() async throws {
        try await withEmulator { url, _ in
            let result = try await mistral(["chat", "--verbose", "--no-stream", "Hi"], baseURL: url, key: "sk-very-secret-key")
            #expect(result.status == 0)
            #expect(result.stderr.contains("request"))
            #expect(result.stderr.contains("path=/v1/chat/completions"))
            #expect(result.stderr.contains("mistral-correlation-id") || result.stderr.contains("request-id="))
            #expect(!result.stderr.contains("sk-very-secret-key"))
        }
    }

    @Test func completeFillsTheMiddle() async throws {
        try await withEmulator { url, emulator in
            let result = try await mistral(["complete", "def fibonacci(n: int):", "--suffix", "print(fibonacci(10))"], baseURL: url)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("return fibonacci(n - 1) + fibonacci(n - 2)"))
            #expect(emulator.requestLog.last?.path == "/v1/fim/completions")
            #expect(emulator.requestLog.last?.json?["suffix"] == "print(fibonacci(10))")
        }
    }

    @Test func embedPrintsOneLinePerText() async throws {
        try await withEmulator { url, _ in
            let result = try await mistral(["embed", "refund policy", "shipping times", "--dtype", "int8", "--encoding", "base64"], baseURL: url)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.allSatisfy { $0.contains("1024 dims") })
            let piped = try await mistral(["embed", "--json"], baseURL: url, stdin: "one\ntwo\nthree\n")
            let response = try JSONCoding.decode(EmbeddingResponse.self, from: Array(piped.stdout.utf8))
            #expect(response.data.count == 3)
        }
    }

    @Test func modelsListShowAndDelete() async throws {
        try await withEmulator { url, _ in
            let list = try await mistral(["models"], baseURL: url)
            #expect(list.status == 0)
            #expect(list.stdout.hasPrefix("ID"))
            let codestral = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix("codestral-2508 ") })
            #expect(codestral.contains("131072") && codestral.contains("fim") && codestral.hasSuffix("codestral-latest"))
            let show = try await mistral(["models", "show", "mistral-embed-2312"], baseURL: url)
            #expect(try JSONCoding.decode(ModelCard.self, from: Array(show.stdout.utf8)).aliases == ["mistral-embed"])
            let deleted = try await mistral(["models", "delete", EmulatorModels.fineTunedModelID], baseURL: url)
            #expect(deleted.stdout == "deleted \(EmulatorModels.fineTunedModelID)\n")
            let refused = try await mistral(["models", "delete", "mistral-small-latest"], baseURL: url)
            #expect(refused.status == 1)
            #expect(refused.stderr.hasPrefix("error: Permission denied (HTTP 403)"), "\(refused.stderr)")
        }
    }
}
