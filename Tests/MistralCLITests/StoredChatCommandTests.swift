import Foundation
import MistralEmulator
import MistralKit
import MistralStore
import MistralTestSupport
import Testing

/// `mistral chat --user --session`, `mistral agents`, `mistral conversations` end to end,
/// against the emulator and a temporary SQLite database.
struct StoredChatCommandTests {
    func mistral(_ arguments: [String], database: String) async throws -> ProcessResult {
        try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), arguments + ["--database", database])
    }

    /// `mistral chat --user --session` killed with SIGKILL mid-answer three times, then asked once
    /// more: the database holds each interrupted answer with what had streamed (checkpointed every
    /// second), none of them passes for an exchange in the last prompt, and the last turn completes.
    @Test func killedMidAnswerThreeTimesThenAskedAgain() async throws {
        let slow = EmulatorConfiguration(latency: EmulatorLatency(timeToFirstToken: .milliseconds(10), perToken: .milliseconds(250)))
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("chat.sqlite").path
            try await withEmulator(configuration: slow) { url, emulator in
                let mistral = try ProcessRunner.builtProduct("mistral")
                for attempt in 1...3 {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: mistral)
                    process.arguments = [
                        "chat", "--user", "u1", "--session", "s1", "--base-url", url, "--api-key", "k", "--database", database,
                        "Interrupted question \(attempt)? What is the capital of France?",
                    ]
                    let output = Pipe()
                    process.standardOutput = output
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    // Killed once the answer has streamed for a while (its first checkpoint is due after a second).
                    try await Task.sleep(for: .milliseconds(1600))
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    #expect(process.terminationReason == .uncaughtSignal)
                }
                let last = try await self.mistral(
                    ["chat", "--user", "u1", "--session", "s1", "--base-url", url, "--api-key", "k", "Are you there?"], database: database)
                #expect(last.status == 0, "\(last.stderr)")
                let prompt = try #require(emulator.requestLog.requests(path: "/v1/chat/completions").last?.json)
                let texts = prompt["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
                #expect(texts == ["Are you there?"], "\(texts)")
                let shown = try await self.mistral(["conversations", "list", "--user", "u1"], database: database)
                #expect(shown.status == 0, "\(shown.stderr)")
                let store = try SQLiteChatStore(path: database)
                let conversation = try #require(try await store.conversations(userID: "u1", sessionID: "s1", limit: 1, offset: 0).first)
                let outputs = try await store.entries(conversationID: conversation.id).filter { $0.kind == .output }
                #expect(outputs.count == 4)
                // The interrupted answers kept what had streamed before the kill (a checkpoint a second).
                #expect(outputs.prefix(3).allSatisfy { $0.status != .complete && !$0.content.isEmpty }, "\(outputs.map(\.content))")
                #expect(outputs.last?.status == .complete)
            }
        }
    }

    @Test func aUsersSessionContinuesAcrossRunsAndUsersAreKeptApart() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("chat.sqlite").path
            try await withEmulator { url, emulator in
                let connection = ["--base-url", url, "--api-key", "k"]
                let created = try await mistral(
                    ["agents", "create", "support", "--instructions", "You are Acme's support assistant.", "--tone", "formal"], database: database)
                #expect(created.status == 0, "\(created.stderr)")
                #expect(created.stdout == "support version 1\n")

                let first = try await mistral(
                    ["chat", "--user", "alice", "--session", "s1", "--agent", "support", "Where is my order 4412?"] + connection, database: database)
                #expect(first.status == 0, "\(first.stderr)")
                let second = try await mistral(
                    ["chat", "--user", "alice", "--session", "s1", "--agent", "support", "--no-stream", "What are my delivery options?"] + connection,
                    database: database)
                #expect(second.status == 0, "\(second.stderr)")
                let messages = try #require(emulator.requestLog.last?.json?["messages"])
                #expect(messages[0]?["role"] == "system")
                #expect(messages[1]?["content"] == "Where is my order 4412?")
                #expect(messages[2]?["content"]?.stringValue == first.stdout.trimmingCharacters(in: .newlines))
                #expect(messages[3]?["content"] == "What are my delivery options?")

                _ = try await mistral(["chat", "--user", "bob", "--session", "s1", "Hi"] + connection, database: database)
                #expect(emulator.requestLog.last?.json?["messages"]?[1] == nil)  // bob sees nothing of alice's turns
            }
            let list = try await mistral(["conversations", "list", "--user", "alice"], database: database)
            #expect(list.status == 0, "\(list.stderr)")
            let id = try #require(list.stdout.split(separator: " ").first.map(String.init))
            #expect(id.hasPrefix("conv_"))
            let shown = try await mistral(["conversations", "show", id], database: database)
            #expect(shown.stdout.hasPrefix("user: Where is my order 4412?\nassistant: "), "\(shown.stdout)")
            let exported = try await mistral(["conversations", "export", id], database: database)
            let document = try JSONCoding.decode(JSONValue.self, from: Array(exported.stdout.utf8))
            #expect(document["conversation"]?["userID"] == "alice")
            guard case .array(let entries)? = document["entries"] else { Issue.record("no entries"); return }
            #expect(entries.count == 4)
            let agents = try await mistral(["agents", "list"], database: database)
            #expect(agents.stdout.hasPrefix("support  v1  mistral-small-latest"))
        }
    }

    @Test func badInputGetsOneClearLine() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("chat.sqlite").path
            try await withEmulator { url, emulator in
                let connection = ["--base-url", url, "--api-key", "k"]
                let agent = try await mistral(["chat", "--user", "a", "--session", "s", "--agent", "ghost", "Hi"] + connection, database: database)
                #expect(agent.status == 1)
                #expect(agent.stderr == "error: There is no agent 'ghost'.\n")
                let half = try await mistral(["chat", "--user", "a", "Hi"] + connection, database: database)
                #expect(half.stderr.contains("--user and --session go together."))
                #expect(emulator.requestLog.count == 0)
            }
            let unknown = try await mistral(["conversations", "show", "conv_nope"], database: database)
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "error: There is no conversation conv_nope.\n")
            let notADatabase = directory.appendingPathComponent("notes.txt").path
            try Data("plain text".utf8).write(to: URL(fileURLWithPath: notADatabase))
            let corrupt = try await mistral(["agents", "list"], database: notADatabase)
            #expect(corrupt.status == 1)
            #expect(corrupt.stderr.hasPrefix("error: Cannot open the chat database \(notADatabase)"), "\(corrupt.stderr)")
        }
    }

    @Test func knowledgeBasesAreFilledSearchedAndUsedByAnAgent() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("chat.sqlite").path
            let shipping = directory.appendingPathComponent("shipping.md")
            let returns = directory.appendingPathComponent("returns.md")
            try Data("# Shipping\nStandard delivery takes 3 to 5 business days. Express delivery arrives the next day.".utf8).write(to: shipping)
            try Data("# Returns\nReturn any item within 30 days for a full refund.".utf8).write(to: returns)
            try await withEmulator { url, emulator in
                let connection = ["--base-url", url, "--api-key", "k"]
                #expect(try await mistral(["kb", "create", "faq"], database: database).stdout == "created faq\n")
                let spaced = try await mistral(["kb", "create", "two words"], database: database)
                #expect(spaced.status == 1)
                #expect(spaced.stderr == "error: A knowledge base name is 1 to 100 characters without spaces.\n")
                let added = try await mistral(["kb", "add", "faq", shipping.path, returns.path] + connection, database: database)
                #expect(added.status == 0, "\(added.stderr)")
                #expect(added.stdout == "added  \(shipping.path)  (1 chunks)\nadded  \(returns.path)  (1 chunks)\n")
                let again = try await mistral(["kb", "add", "faq", shipping.path] + connection, database: database)
                #expect(again.stdout.hasPrefix("unchanged  \(shipping.path)"))
                let missing = try await mistral(["kb", "add", "faq", directory.appendingPathComponent("nope.md").path] + connection, database: database)
                #expect(missing.status == 1)
                #expect(missing.stderr.hasPrefix("error: Cannot read "))
                let search = try await mistral(["kb", "search", "faq", "How long does delivery take?"] + connection, database: database)
                #expect(search.stdout.hasPrefix("[1] Shipping ("), "\(search.stdout)")
                _ = try await mistral(["agents", "create", "helper", "--kb", "faq"], database: database)
                let answer = try await mistral(["chat", "--user", "u", "--session", "s", "--agent", "helper", "How long does delivery take with express delivery?"] + connection, database: database)
                #expect(answer.status == 0, "\(answer.stderr)")
                #expect(emulator.requestLog.last?.json?["messages"]?[0]?["content"]?.stringValue?.contains("[1] Shipping: ") == true)
            }
        }
    }
}
