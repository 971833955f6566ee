import Foundation
import MistralChat
import MistralEmulator
import MistralKit
import MistralStore
import MistralTestSupport
import Testing

/// The chat engine against the emulator, on SQLite and (when the test script started one)
/// PostgreSQL.
@Suite("Chat engine")
struct EngineTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let backends: [Backend] = StoreTests.postgresURL != nil || StoreTests.required ? [.sqlite, .postgres] : [.sqlite]

    /// An engine over a fresh store and an emulator with `configuration`.
    func withEngine(
        _ backend: Backend, emulator configuration: EmulatorConfiguration = EmulatorConfiguration(),
        _ body: (ChatEngine, MistralEmulator) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { directory in
            let opened: ChatStoreFactory.Opened
            switch backend {
            case .sqlite: opened = try await ChatStoreFactory.open(directory.appendingPathComponent("chat.sqlite").path)
            case .postgres: opened = try await ChatStoreFactory.open(try #require(StoreTests.postgresURL))
            }
            do {
                try await withEmulatorClient(configuration: configuration) { client, emulator in
                    try await body(ChatEngine(client: client, store: opened.store), emulator)
                }
            } catch {
                await opened.close()
                throw error
            }
            await opened.close()
        }
    }

    static func user() -> String { "user-" + UUID().uuidString.prefix(8) }
    /// Agent names unique per test run: the PostgreSQL database outlives a run.
    static func agentName(_ base: String) -> String { base + "-" + UUID().uuidString.prefix(8) }

    @Test(arguments: backends)
    func aSessionRemembersEarlierTurns(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let user = Self.user()
            let first = try await engine.send("Where is my order 4412?", userID: user, sessionID: "web")
            let second = try await engine.send("What are my delivery options?", userID: user, sessionID: "web")
            #expect(second.conversation.id == first.conversation.id)
            let messages = try #require(emulator.requestLog.last?.json?["messages"])
            #expect(messages[0]?["content"] == "Where is my order 4412?")
            #expect(messages[1]?["role"] == "assistant")
            #expect(messages[1]?["content"]?.stringValue == first.answer)
            #expect(messages[2]?["content"] == "What are my delivery options?")
            let history = try await engine.history(conversationID: first.conversation.id)
            #expect(history.map(\.kind) == [.input, .output, .input, .output])
            #expect(try await engine.messages(conversationID: first.conversation.id).map(\.content)[2] == "What are my delivery options?")
            #expect(history.allSatisfy { $0.status == .complete })
            #expect(history[1].promptTokens != nil)
            // Another user, same session name: a separate conversation that sees nothing of the first.
            let other = try await engine.send("Hello?", userID: Self.user(), sessionID: "web")
            #expect(other.conversation.id != first.conversation.id)
            #expect(emulator.requestLog.last?.json?["messages"]?[1] == nil)
        }
    }

    @Test(arguments: backends)
    func theAgentsPersonaIsApplied(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let support = Self.agentName("support")
            _ = try await engine.store.saveAgent(
                Agent(name: support, model: "mistral-large-latest", instructions: "You are Acme's support assistant.", tone: .formal, temperature: 0.2, maxTokens: 64))
            let turn = try await engine.send("Hi", userID: Self.user(), sessionID: "s", agentName: support)
            #expect(turn.conversation.agentName == support)
            #expect(turn.conversation.agentVersion == 1)
            let request = try #require(emulator.requestLog.last?.json)
            #expect(request["model"] == "mistral-large-latest")
            #expect(request["temperature"] == 0.2)
            #expect(request["max_tokens"] == 64)
            let system = try #require(request["messages"]?[0])
            #expect(system["role"] == "system")
            #expect(system["content"]?.stringValue?.hasPrefix("You are Acme's support assistant.\n\nAnswer in a formal") == true)
        }
    }

    @Test(arguments: backends)
    func aFailedCallLeavesAVisiblyFailedRetryableTurn(_ backend: Backend) async throws {
        try await withEngine(backend, emulator: EmulatorConfiguration(faultSchedule: [.status(503)])) { engine, _ in
            let user = Self.user()
            let conversation = try await engine.conversation(userID: user, sessionID: "s")
            await #expect(throws: MistralError.self) { try await engine.send("What is the capital of France?", conversationID: conversation.id) }
            var entries = try await engine.store.entries(conversationID: conversation.id)
            #expect(entries.map(\.kind) == [.input, .output])
            #expect(entries[0].content == "What is the capital of France?")
            #expect(entries[1].status == .failed)
            #expect(entries[1].error?.contains("503") == true)
            let retried = try await engine.retryLastTurn(conversationID: conversation.id)
            #expect(retried.answer == "The capital of France is Paris.")
            entries = try await engine.store.entries(conversationID: conversation.id)
            #expect(entries.count == 2)
            #expect(entries[1].status == .complete)
            await #expect(throws: ChatEngineError.self) { try await engine.retryLastTurn(conversationID: conversation.id) }
        }
    }

    @Test(arguments: backends)
    func aStreamCutMidAnswerIsStoredAsFailedWithWhatArrived(_ backend: Backend) async throws {
        try await withEngine(backend, emulator: EmulatorConfiguration(faultSchedule: [.cutStream(afterChunks: 3)])) { engine, emulator in
            let conversation = try await engine.conversation(userID: Self.user(), sessionID: "s")
            var received = ""
            await #expect(throws: MistralError.self) {
                for try await event in try await engine.stream("What is the capital of France?", conversationID: conversation.id) {
                    if case .delta(let piece) = event { received += piece }
                }
            }
            let entries = try await engine.store.entries(conversationID: conversation.id)
            #expect(entries[1].status == .failed)
            #expect(!received.isEmpty)
            #expect(entries[1].content == received)
            // The next message goes on; the failed turn is left out whole (its question is not
            // passed off as an exchange), so the new message stands alone.
            let next = try await engine.send("Are you there?", conversationID: conversation.id)
            #expect(next.output.status == .complete)
            let messages = try #require(emulator.requestLog.last?.json?["messages"])
            #expect(messages[0]?["content"] == "Are you there?")
            #expect(messages[1] == nil)
        }
    }

    /// A turn whose process died (its lease ran out) is marked failed by the next turn, which does
    /// not show the model the unanswered message as an exchange; the failed turn can be run again.
    @Test(arguments: backends)
    func anAbandonedTurnIsFailedLeftOutOfTheContextAndRetryable(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let conversation = try await engine.conversation(userID: Self.user(), sessionID: "s")
            // What a process killed mid-answer leaves: the message, a pending answer with a lease that ran out.
            _ = try await engine.store.append(
                [
                    ConversationEntry(conversationID: conversation.id, kind: .input, content: "Interrupted question?"),
                    ConversationEntry(
                        conversationID: conversation.id, kind: .output, content: "Half an ans", status: .pending,
                        lease: TurnLease(owner: "engine-gone", until: Date().addingTimeInterval(-5))),
                ], to: conversation.id)
            let history = try await engine.history(conversationID: conversation.id)
            #expect(history[1].status == .failed && history[1].content == "Half an ans")
            _ = try await engine.send("What is the capital of France?", conversationID: conversation.id)
            let prompt = try #require(emulator.requestLog.requests(path: "/v1/chat/completions").last?.json)
            let texts = prompt["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
            #expect(!texts.contains { $0.contains("Interrupted question?") }, "\(texts)")
            #expect(texts.last == "What is the capital of France?")
            // The answer being produced holds a lease of this engine while it works, none once stored.
            let stored = try await engine.store.entries(conversationID: conversation.id)
            #expect(stored.last?.status == .complete && stored.last?.lease == nil)
        }
        // An abandoned last turn is retryable.
        try await withEngine(backend) { engine, _ in
            let conversation = try await engine.conversation(userID: Self.user(), sessionID: "s")
            _ = try await engine.store.append(
                [
                    ConversationEntry(conversationID: conversation.id, kind: .input, content: "What is the capital of France?"),
                    ConversationEntry(conversationID: conversation.id, kind: .output, content: "", status: .pending),
                ], to: conversation.id)
            let retried = try await engine.retryLastTurn(conversationID: conversation.id)
            #expect(retried.output.status == .complete && retried.answer == "The capital of France is Paris.")
        }
    }

    /// A long streamed answer is written as it grows (about every second), with its lease renewed,
    /// so a crash loses at most about a second of it.
    @Test(arguments: backends)
    func aStreamedAnswerIsCheckpointedAsItGrows(_ backend: Backend) async throws {
        let slow = EmulatorConfiguration(latency: EmulatorLatency(timeToFirstToken: .milliseconds(10), perToken: .milliseconds(400)))
        try await withEngine(backend, emulator: slow) { engine, _ in
            let conversation = try await engine.conversation(userID: Self.user(), sessionID: "s")
            let events = try await engine.stream("What is the capital of France?", conversationID: conversation.id)
            let consumer = Task { for try await _ in events {} }
            #expect(
                await eventually(timeout: .seconds(4)) {
                    let output = (try? await engine.store.entries(conversationID: conversation.id))?.last
                    return output?.status == .pending && !(output?.content.isEmpty ?? true) && output?.lease?.owner == engine.instanceID
                })
            try await consumer.value
            let done = try #require(try await engine.store.entries(conversationID: conversation.id).last)
            #expect(done.status == .complete && done.content == "The capital of France is Paris." && done.lease == nil)
        }
    }

    @Test(arguments: backends)
    func aStreamedAnswerIsStoredWhenItFinishes(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, _ in
            let conversation = try await engine.conversation(userID: Self.user(), sessionID: "s")
            var pieces: [String] = []
            var finished: ChatEngine.Turn?
            for try await event in try await engine.stream("What is the capital of France?", conversationID: conversation.id) {
                switch event {
                case .delta(let piece): pieces.append(piece)
                case .finished(let turn): finished = turn
                case .started: break
                }
            }
            #expect(pieces.joined() == "The capital of France is Paris.")
            #expect(finished?.output.status == .complete)
            #expect(try await engine.store.entries(conversationID: conversation.id)[1].content == "The capital of France is Paris.")
        }
    }

    @Test(arguments: backends)
    func aSmallBudgetKeepsTheInstructionsPinnedFactsAndLatestTurns(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let terse = Self.agentName("terse")
            _ = try await engine.store.saveAgent(
                Agent(name: terse, instructions: "Be terse.", context: .init(budgetTokens: 120, keepLatestTurns: 1)))
            let user = Self.user()
            for index in 0..<6 {
                _ = try await engine.send("Question number \(index) about my long-running order and its delivery.", userID: user, sessionID: "s", agentName: terse)
            }
            let conversation = try await engine.conversation(userID: user, sessionID: "s", agentName: terse)
            try await engine.pin(["Order 4412 ships to Lyon."], conversationID: conversation.id)
            let turn = try await engine.send("And now?", userID: user, sessionID: "s", agentName: terse)
            #expect(turn.droppedTurns >= 4)
            let messages = try #require(emulator.requestLog.last?.json?["messages"])
            let system = try #require(messages[0]?["content"]?.stringValue)
            #expect(system.hasPrefix("Be terse."))
            #expect(system.contains("Order 4412 ships to Lyon."))
            #expect(system.contains("earlier turns of this conversation are left out"))
            guard case .array(let all) = messages else { Issue.record("messages is not an array"); return }
            #expect(all.last?["content"] == "And now?")
            #expect(!all.contains { $0["content"]?.stringValue?.contains("Question number 0") == true })
        }
    }

    /// With `summarizeOlderTurns`, the turns that no longer fit are summarised by the model, and
    /// the prompt carries the summary instead of a count.
    @Test(arguments: backends)
    func olderTurnsAreSummarisedWhenThePersonaAsks(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let agent = Self.agentName("summariser")
            _ = try await engine.store.saveAgent(
                Agent(name: agent, instructions: "Be terse.", context: .init(budgetTokens: 60, keepLatestTurns: 1, summarizeOlderTurns: true)))
            let user = Self.user()
            _ = try await engine.send("My order 4412 is late and I live in Lyon.", userID: user, sessionID: "s", agentName: agent)
            _ = try await engine.send("Can it go to my office instead?", userID: user, sessionID: "s", agentName: agent)
            let turn = try await engine.send("What are my delivery options?", userID: user, sessionID: "s", agentName: agent)
            #expect(turn.droppedTurns >= 1)
            let summaries = emulator.requestLog.requests(path: "/v1/chat/completions").filter {
                $0.json?["messages"]?[0]?["content"]?.stringValue?.hasPrefix("Summarise this earlier part") == true
            }
            #expect(!summaries.isEmpty)
            let transcript = try #require(summaries.last?.json?["messages"]?[1]?["content"]?.stringValue)
            #expect(transcript.contains("User: My order 4412 is late and I live in Lyon."))
            let system = try #require(emulator.requestLog.last?.json?["messages"]?[0]?["content"]?.stringValue)
            #expect(system.contains("Summary of the \(turn.droppedTurns) earlier turn"))
            #expect(!system.contains("are left out to fit the context.)"))
            // The summary does not stay in the history: the stored conversation is the three turns.
            let conversation = try await engine.conversation(userID: user, sessionID: "s", agentName: agent)
            #expect(try await engine.store.entries(conversationID: conversation.id).count == 6)
        }
    }

    /// A summary call that fails does not fail the turn: the prompt counts the left-out turns.
    @Test(arguments: backends)
    func aFailedSummaryFallsBackToTheCount(_ backend: Backend) async throws {
        // The first turn's call goes through; the second turn's summary call gets a 500.
        try await withEngine(backend, emulator: EmulatorConfiguration(faultSchedule: [.noFault, .status(500)])) { engine, emulator in
            let agent = Self.agentName("summariser")
            _ = try await engine.store.saveAgent(
                Agent(name: agent, context: .init(budgetTokens: 1, keepLatestTurns: 1, summarizeOlderTurns: true)))
            let user = Self.user()
            _ = try await engine.send("My order 4412 is late.", userID: user, sessionID: "s", agentName: agent)
            let turn = try await engine.send("Where is it now?", userID: user, sessionID: "s", agentName: agent)
            #expect(turn.output.status == .complete)
            #expect(turn.droppedTurns == 1)
            let calls = emulator.requestLog.requests(path: "/v1/chat/completions")
            #expect(calls.count == 3)
            let system = try #require(calls.last?.json?["messages"]?[0]?["content"]?.stringValue)
            #expect(system.contains("(1 earlier turn of this conversation are left out to fit the context.)"))
        }
    }

    @Test(arguments: backends)
    func restartBranchesFromAnEntry(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, _ in
            let user = Self.user()
            let first = try await engine.send("First question", userID: user, sessionID: "s")
            _ = try await engine.send("Second question", userID: user, sessionID: "s")
            let branch = try await engine.restart(conversationID: first.conversation.id, fromEntryID: first.output.id)
            #expect(branch.id != first.conversation.id)
            #expect(branch.restartedFrom == first.output.id)
            let copied = try await engine.store.entries(conversationID: branch.id)
            #expect(copied.map(\.content) == ["First question", first.answer])
            #expect(try await engine.store.entries(conversationID: first.conversation.id).count == 4)
            let answer = try await engine.send("A different second question", conversationID: branch.id)
            #expect(answer.input.position == 2)
        }
    }

    @Test(arguments: backends)
    func badInputIsRefusedAndLeavesDataUntouched(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let user = Self.user()
            let empty = await #expect(throws: ChatEngineError.self) { try await engine.send("   \n", userID: user, sessionID: "s") }
            #expect(empty?.kind == .emptyMessage)
            let agent = await #expect(throws: ChatEngineError.self) { try await engine.send("Hi", userID: user, sessionID: "s", agentName: "nobody") }
            #expect(agent?.kind == .unknownAgent)
            let conversation = await #expect(throws: ChatEngineError.self) { try await engine.send("Hi", conversationID: "conv_unknown") }
            #expect(conversation?.kind == .unknownConversation)
            let entry = await #expect(throws: ChatEngineError.self) { try await engine.restart(conversationID: "conv_unknown", fromEntryID: "x") }
            #expect(entry?.kind == .unknownConversation)
            let stored = try await engine.store.conversations(userID: user, sessionID: nil, limit: 10, offset: 0)
            #expect(stored.isEmpty)
            #expect(emulator.requestLog.count == 0)
            let deleted = await #expect(throws: ChatEngineError.self) { try await engine.deleteConversation(id: "conv_unknown") }
            #expect(deleted?.kind == .unknownConversation)
        }
    }

    @Test(arguments: backends)
    func aBadUserOrSessionIDIsAnInvalidIdentifier(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let blank = await #expect(throws: ChatEngineError.self) { try await engine.send("Hi", userID: "  ", sessionID: "s") }
            #expect(blank?.kind == .invalidIdentifier)
            #expect(blank?.message == "The user id must be 1 to 200 characters, not only spaces.")
            let long = await #expect(throws: ChatEngineError.self) {
                try await engine.conversation(userID: Self.user(), sessionID: String(repeating: "s", count: 201))
            }
            #expect(long?.kind == .invalidIdentifier)
            #expect(long?.kind != .emptyMessage)
            #expect(emulator.requestLog.count == 0)
        }
    }

    @Test(arguments: backends)
    func aUsersConversationsAreListedLatestFirstAndPaged(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, _ in
            let user = Self.user()
            let first = try await engine.send("Hi", userID: user, sessionID: "s1").conversation.id
            let second = try await engine.send("Hello", userID: user, sessionID: "s2").conversation.id
            #expect(try await engine.conversations.list(userID: user).map(\.id) == [second, first])
            #expect(try await engine.conversations.list(userID: user, sessionID: "s1").map(\.id) == [first])
            #expect(try await engine.conversations.list(userID: user, limit: 1, offset: 1).map(\.id) == [first])
            for (limit, offset) in [(0, 0), (1001, 0), (10, -1)] {
                let error = await #expect(throws: ChatEngineError.self) {
                    try await engine.conversations.list(userID: user, limit: limit, offset: offset)
                }
                #expect(error?.kind == .invalidPage)
            }
            let blank = await #expect(throws: ChatEngineError.self) { try await engine.conversations.list(userID: " ") }
            #expect(blank?.kind == .invalidIdentifier)
        }
    }

    @Test(arguments: backends)
    func moderationGuardrailsRefuseFlaggedInput(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, emulator in
            let guarded = Self.agentName("guarded")
            _ = try await engine.store.saveAgent(
                Agent(name: guarded, guardrails: .init(moderateInput: true, refusalMessage: "I can't help with that.")))
            let ok = try await engine.send("What is the capital of France?", userID: Self.user(), sessionID: "s", agentName: guarded)
            #expect(ok.answer == "The capital of France is Paris.")
            let refused = try await engine.send("I want to kill and murder everyone", userID: Self.user(), sessionID: "s", agentName: guarded)
            #expect(refused.answer == "I can't help with that.")
            #expect(refused.output.error == "input flagged by moderation")
            #expect(emulator.requestLog.last?.path == "/v1/moderations")
        }
    }

    @Test(arguments: backends)
    func feedbackIsStoredWithTheAnswer(_ backend: Backend) async throws {
        try await withEngine(backend) { engine, _ in
            let turn = try await engine.send("Hi", userID: Self.user(), sessionID: "s")
            try await engine.feedback(Feedback(rating: .up, comment: "quick"), entryID: turn.output.id)
            let stored = try await engine.store.entries(conversationID: turn.conversation.id)[1]
            #expect(stored.feedback?.rating == .up)
            #expect(stored.feedback?.comment == "quick")
        }
    }
}
