import Foundation
import MistralKit
import Synchronization

/// The chatbot engine: durable multi-turn conversations per user and session, answered by a
/// persona over any chat model, stored in your own database.
///
/// Each turn is atomic: the user's message is stored (with the answer as `pending`) before the
/// model is called; the answer is stored when complete; a failed, cut or cancelled call leaves
/// the answer `failed` with its error and whatever text arrived, and ``retryLastTurn(conversationID:)``
/// runs it again. Nothing is half written and nothing is lost.
public final class ChatEngine: Sendable {
    public let client: MistralClient
    public let store: any ChatStore
    /// The model used when no agent is named.
    public let defaultModel: String
    /// The tools agents may use, by name.
    public let tools: [String: ChatTool]
    public let toolPolicy: ToolPolicy
    /// Retrieval from the knowledge bases agents list.
    public let knowledge: KnowledgeService
    /// Chunks retrieved for an answer, from all of an agent's knowledge bases together.
    public let citationsPerAnswer: Int
    /// Summaries of left-out turns, by conversation and the turns they cover (kept in memory: a
    /// restarted engine makes them again once).
    private let summaries = Mutex<[Int: String]>([:])

    /// An engine answering with `client`, storing in `store`. `tools` are the business actions
    /// agents may list by name.
    public init(
        client: MistralClient, store: any ChatStore, defaultModel: String = "mistral-small-latest", tools: [ChatTool] = [],
        toolPolicy: ToolPolicy = ToolPolicy(), citationsPerAnswer: Int = 5
    ) {
        self.client = client
        self.store = store
        self.defaultModel = defaultModel
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.toolPolicy = toolPolicy
        self.knowledge = KnowledgeService(client: client, store: store)
        self.citationsPerAnswer = max(1, citationsPerAnswer)
    }

    /// One finished exchange.
    public struct Turn: Sendable, Hashable {
        public var conversation: Conversation
        public var input: ConversationEntry
        public var output: ConversationEntry
        /// Turns left out of the prompt to fit the agent's context budget.
        public var droppedTurns: Int
        /// The answer's text.
        public var answer: String { output.content }
        /// The knowledge the answer was given from, numbered as the answer cites it ([1], [2], ...).
        public var citations: [Citation] { output.citations }
        /// The answer as Mistral content chunks: its text, then a `reference` chunk naming the
        /// citations (1-based), as Mistral's own RAG answers carry them.
        public var contentChunks: [ContentChunk] {
            citations.isEmpty ? [.text(answer)] : [.text(answer), .reference(ids: citations.indices.map { .int($0 + 1) })]
        }
    }

    // MARK: - Conversations

    /// The conversation a message from `userID` in `sessionID` continues: the session's latest
    /// one with the same agent, or a new one.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownAgent` before anything is stored.
    public func conversation(userID: String, sessionID: String, agentName: String? = nil) async throws -> Conversation {
        try Self.checkIdentifier(userID, "user id")
        try Self.checkIdentifier(sessionID, "session id")
        let agent = try await resolveAgent(agentName, version: nil)
        if let latest = try await store.conversations(userID: userID, sessionID: sessionID, limit: 1, offset: 0).first,
            latest.agentName == agentName || (agentName == nil && latest.agentName == nil)
        {
            return latest
        }
        let conversation = Conversation(
            userID: userID, sessionID: sessionID, agentName: agentName, agentVersion: agentName == nil ? nil : agent.version)
        try await store.createConversation(conversation)
        return conversation
    }

    /// Sends `text` as `userID` in `sessionID` and returns the stored answer.
    public func send(_ text: String, userID: String, sessionID: String, agentName: String? = nil) async throws -> Turn {
        try Self.checkMessage(text)
        let conversation = try await conversation(userID: userID, sessionID: sessionID, agentName: agentName)
        return try await send(text, conversationID: conversation.id)
    }

    /// Sends `text` in the conversation `conversationID`.
    ///
    /// - Throws: ``ChatEngineError`` (`.emptyMessage`, `.unknownConversation`) with nothing
    ///   stored; a `MistralError` from the model after the turn was stored as failed.
    public func send(_ text: String, conversationID: String) async throws -> Turn {
        let turn = try await beginTurn(text, conversationID: conversationID)
        return try await answer(conversation: turn.conversation, agent: turn.agent, input: turn.input, output: turn.output)
    }

    /// Checks everything that can be checked, then stores the user's message with a `pending`
    /// answer in one transaction: bad input leaves the store untouched.
    private func beginTurn(_ text: String, conversationID: String) async throws
        -> (conversation: Conversation, agent: Agent, input: ConversationEntry, output: ConversationEntry)
    {
        try Self.checkMessage(text)
        let conversation = try await existingConversation(conversationID)
        let agent = try await resolveAgent(conversation.agentName, version: conversation.agentVersion)
        _ = try offeredTools(agent)
        for name in agent.knowledgeBases where try await store.knowledgeBase(name: name) == nil {
            throw ChatEngineError(.invalidAgent, "Agent '\(agent.name)' answers from the knowledge base '\(name)', which does not exist.")
        }
        let stored = try await store.append(
            [
                ConversationEntry(conversationID: conversation.id, kind: .input, content: text),
                ConversationEntry(conversationID: conversation.id, kind: .output, content: "", status: .pending, model: agent.model),
            ], to: conversation.id)
        return (conversation, agent, stored[0], stored[1])
    }

    /// What a streamed turn delivers: pieces of the answer as they arrive, then the stored turn.
    public enum TurnEvent: Sendable, Hashable {
        case delta(String)
        case finished(Turn)
    }

    /// Like ``send(_:conversationID:)``, with the answer streamed. The answer is stored when
    /// the stream finishes; when it is cut, fails or the consumer stops early, the turn is stored
    /// as failed with what arrived, and the stream throws.
    public func stream(_ text: String, conversationID: String) async throws -> AsyncThrowingStream<TurnEvent, any Error> {
        let begun = try await beginTurn(text, conversationID: conversationID)
        let (events, continuation) = AsyncThrowingStream.makeStream(of: TurnEvent.self)
        let work = Task {
            do {
                let turn = try await self.answer(conversation: begun.conversation, agent: begun.agent, input: begun.input, output: begun.output) { piece in
                    continuation.yield(.delta(piece))
                }
                continuation.yield(.finished(turn))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return events
    }

    /// Runs the last turn again when its answer failed.
    ///
    /// - Throws: ``ChatEngineError`` `.nothingToRetry` when the last answer did not fail.
    public func retryLastTurn(conversationID: String) async throws -> Turn {
        let conversation = try await existingConversation(conversationID)
        let entries = try await store.entries(conversationID: conversationID)
        guard var output = entries.last(where: { $0.kind == .output }), output.status == .failed,
            let input = entries.last(where: { $0.kind == .input && $0.position < output.position })
        else {
            throw ChatEngineError(.nothingToRetry, "The last answer of conversation \(conversationID) did not fail; there is nothing to retry.")
        }
        let agent = try await resolveAgent(conversation.agentName, version: conversation.agentVersion)
        output.status = .pending
        output.content = ""
        output.error = nil
        try await store.update(output)
        return try await answer(conversation: conversation, agent: agent, input: input, output: output)
    }

    /// A new conversation holding `conversationID`'s entries up to and including `entryID`
    /// (the original is left as it is), like Mistral's conversation restart.
    public func restart(conversationID: String, fromEntryID entryID: String) async throws -> Conversation {
        let original = try await existingConversation(conversationID)
        let entries = try await store.entries(conversationID: conversationID)
        guard let cut = entries.firstIndex(where: { $0.id == entryID }) else {
            throw ChatEngineError(.unknownEntry, "Conversation \(conversationID) has no entry \(entryID).")
        }
        var branch = Conversation(
            userID: original.userID, sessionID: original.sessionID, agentName: original.agentName, agentVersion: original.agentVersion,
            restartedFrom: entryID, pinnedFacts: original.pinnedFacts)
        branch.updatedAt = Date()
        try await store.createConversation(branch)
        let copies = entries[...cut].map { entry in
            var copy = entry
            copy.id = ConversationEntry.newID()
            copy.conversationID = branch.id
            return copy
        }
        _ = try await store.append(Array(copies), to: branch.id)
        return branch
    }

    /// A conversation's entries: messages, tool calls and results, in order.
    ///
    /// - Throws: `.unknownConversation`.
    public func history(conversationID: String) async throws -> [ConversationEntry] {
        _ = try await existingConversation(conversationID)
        return try await store.entries(conversationID: conversationID)
    }

    /// A conversation's messages only (the user's and the answers that completed), like
    /// Mistral's `GET /v1/conversations/{id}/messages`.
    public func messages(conversationID: String) async throws -> [ConversationEntry] {
        try await history(conversationID: conversationID).filter {
            $0.kind == .input || ($0.kind == .output && $0.status == .complete)
        }
    }

    /// Deletes a conversation and its entries. Throws `.unknownConversation` when there is none.
    public func deleteConversation(id: String) async throws {
        guard try await store.deleteConversation(id: id) else {
            throw ChatEngineError(.unknownConversation, "There is no conversation \(id).")
        }
    }

    /// Replaces a conversation's pinned facts: kept in every prompt whatever the budget drops.
    public func pin(_ facts: [String], conversationID: String) async throws {
        _ = try await existingConversation(conversationID)
        try await store.updatePinnedFacts(conversationID: conversationID, facts)
    }

    /// Records a user's rating of an answer.
    public func feedback(_ feedback: Feedback, entryID: String) async throws {
        try await store.setFeedback(feedback, entryID: entryID)
    }

    // MARK: - Answering

    /// Produces and stores the answer to `input`; with `onDelta`, streamed.
    private func answer(
        conversation: Conversation, agent: Agent, input: ConversationEntry, output: ConversationEntry,
        onDelta: (@Sendable (String) -> Void)? = nil
    ) async throws -> Turn {
        var output = output
        let history = try await store.entries(conversationID: conversation.id).filter { $0.position < output.position }
        let builder = ContextBuilder(agent: agent, counter: client.configuration.tokenCounter)
        let tags = ["user": conversation.userID, "session": conversation.sessionID, "conversation": conversation.id]
        var context = builder.build(conversation: conversation, history: history)
        if agent.context.summarizeOlderTurns, context.droppedTurns > 0,
            let summary = await summary(of: context.droppedMessages, conversationID: conversation.id, agent: agent, tags: tags)
        {
            context = builder.build(conversation: conversation, history: history, summary: summary)
        }
        var messages = context.messages
        do {
            if let guardrails = agent.guardrails, guardrails.moderateInput, try await isFlagged(input.content, guardrails, tags: tags) {
                output.content = guardrails.refusalMessage
                output.error = "input flagged by moderation"
            } else {
                if !agent.knowledgeBases.isEmpty {
                    output.citations = try await retrieve(input.content, from: agent.knowledgeBases)
                    messages = Self.withSources(output.citations, messages)
                }
                let (response, promptTokens, completionTokens) = try await respond(
                    agent: agent, conversationID: conversation.id, messages: messages, tags: tags, onDelta: onDelta)
                output.content = response.text
                output.model = response.model.isEmpty ? agent.model : response.model
                output.promptTokens = promptTokens
                output.completionTokens = completionTokens
                if let guardrails = agent.guardrails, guardrails.moderateOutput, try await isFlagged(output.content, guardrails, tags: tags) {
                    output.content = guardrails.refusalMessage
                    output.error = "answer flagged by moderation"
                }
            }
            output.status = .complete
            output.completedAt = Date()
            try await store.update(output)
        } catch {
            output.status = .failed
            output.error = Task.isCancelled && !(error is MistralError) ? "cancelled: \(error)" : "\(error)"
            output.content = (error as? MistralError)?.partial?.text ?? output.content
            output.completedAt = Date()
            let failed = output
            // Recorded even when the calling task was cancelled.
            try? await Task.detached { try await self.store.update(failed) }.value
            throw error
        }
        return Turn(conversation: conversation, input: input, output: output, droppedTurns: context.droppedTurns)
    }

    /// The best chunks for `question` across `knowledgeBases`, by fused score.
    private func retrieve(_ question: String, from knowledgeBases: [String]) async throws -> [Citation] {
        var all: [Citation] = []
        for name in knowledgeBases { all += try await knowledge.search(question, in: name, limit: citationsPerAnswer) }
        return Array(all.sorted { ($0.score, $1.chunkID) > ($1.score, $0.chunkID) }.prefix(citationsPerAnswer))
    }

    /// `messages` with the retrieved sources added to the system prompt, numbered for citing.
    static func withSources(_ citations: [Citation], _ messages: [ChatMessage]) -> [ChatMessage] {
        guard !citations.isEmpty else { return messages }
        let sources =
            "Answer from these sources when they are relevant, and cite them by number like [1]:\n"
            + citations.enumerated().map { "[\($0.offset + 1)] \($0.element.title): \($0.element.text)" }.joined(separator: "\n")
        var messages = messages
        if case .system(let content)? = messages.first {
            messages[0] = .system(content.text + "\n\n" + sources)
        } else {
            messages.insert(.system(sources), at: 0)
        }
        return messages
    }

    /// The registered tools `agent` lists; throws `.invalidAgent` naming one that is not registered.
    private func offeredTools(_ agent: Agent) throws -> [ChatTool] {
        try agent.tools.map { name in
            guard let tool = tools[name] else {
                throw ChatEngineError(.invalidAgent, "Agent '\(agent.name)' uses the tool '\(name)', which this engine does not have.")
            }
            return tool
        }
    }

    /// A summary of `messages` (turns left out of the prompt) by the agent's model, or `nil` when
    /// the call fails: the turn then goes on with the count of left-out turns.
    private func summary(of messages: [ChatMessage], conversationID: String, agent: Agent, tags: [String: String]) async -> String? {
        var hasher = Hasher()
        hasher.combine(conversationID)
        hasher.combine(agent.model)
        for message in messages { hasher.combine(message) }
        let key = hasher.finalize()
        if let known = summaries.withLock({ $0[key] }) { return known }
        let transcript = messages.compactMap { message -> String? in
            switch message {
            case .user(let content): content.map { "User: \($0.text)" }
            case .assistant(let answer): answer.content.map { "Assistant: \($0.text)" }
            case .tool(let content, _, let name): content.map { "Tool \(name ?? "result"): \($0.text)" }
            case .system: nil
            }
        }.joined(separator: "\n")
        let request = ChatCompletionRequest(
            model: agent.model,
            messages: [
                .system(
                    "Summarise this earlier part of a conversation in at most five sentences. Keep names, numbers, order and reference ids, decisions and open questions. Write only the summary."
                ),
                .user(transcript),
            ], temperature: 0, maxTokens: 300)
        do {
            let text = try await client.chat(request, tags: tags.merging(["purpose": "summary"]) { $1 }).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return nil }
            summaries.withLock { summaries in
                if summaries.count >= 10_000 { summaries.removeAll() }
                summaries[key] = text
            }
            return text
        } catch {
            client.configuration.logger.warning(
                "could not summarise older turns; counting them instead", metadata: ["conversation": "\(conversationID)", "error": "\(error)"])
            return nil
        }
    }

    /// Calls the model, running the tool calls it asks for (stored as entries) until it answers.
    private func respond(
        agent: Agent, conversationID: String, messages: [ChatMessage], tags: [String: String], onDelta: (@Sendable (String) -> Void)?
    ) async throws -> (response: ChatCompletionResponse, promptTokens: Int, completionTokens: Int) {
        let offered = try offeredTools(agent)
        let runner = ToolRunner(tools: tools, policy: toolPolicy)
        var messages = messages
        var promptTokens = 0
        var completionTokens = 0
        var step = 0
        while true {
            step += 1
            let mayCallTools = !offered.isEmpty && step <= toolPolicy.maxSteps
            let request = ChatCompletionRequest(
                model: agent.model, messages: messages, temperature: agent.temperature, maxTokens: agent.maxTokens,
                tools: offered.isEmpty ? nil : offered.map(\.definition), toolChoice: offered.isEmpty ? nil : (mayCallTools ? .auto : ToolChoice.none))
            let response: ChatCompletionResponse
            if let onDelta {
                var iterator = try await client.chatStream(request, tags: tags).makeAsyncIterator()
                while let chunk = try await iterator.next() {
                    if let piece = chunk.choices.first?.delta.content?.text, !piece.isEmpty { onDelta(piece) }
                }
                response = iterator.accumulator.response
            } else {
                response = try await client.chat(request, tags: tags)
            }
            promptTokens += response.usage?.promptTokens ?? 0
            completionTokens += response.usage?.completionTokens ?? 0
            guard mayCallTools, let calls = response.message?.toolCalls, !calls.isEmpty else {
                return (response, promptTokens, completionTokens)
            }
            _ = try await store.append(
                calls.map { call in
                    ConversationEntry(
                        conversationID: conversationID, kind: .functionCall, content: "", toolCallID: call.id, toolName: call.function.name,
                        toolArguments: call.function.arguments)
                }, to: conversationID)
            let outcomes = await runner.run(calls)
            _ = try await store.append(
                outcomes.map { outcome in
                    ConversationEntry(
                        conversationID: conversationID, kind: .functionResult, content: outcome.result, toolCallID: outcome.call.id,
                        toolName: outcome.call.function.name, error: outcome.failed ? outcome.result : nil)
                }, to: conversationID)
            messages.append(.assistant(AssistantMessage(content: nil, toolCalls: calls)))
            messages += outcomes.map { .tool(callID: $0.call.id ?? "", name: $0.call.function.name, content: $0.result) }
        }
    }

    private func isFlagged(_ text: String, _ guardrails: Agent.Guardrails, tags: [String: String]) async throws -> Bool {
        let response = try await client.moderations(ClassificationRequest(model: guardrails.moderationModel, input: [text]), tags: tags)
        return response.results.contains { result in result.categories.values.contains(true) }
    }

    // MARK: - Lookups

    private func existingConversation(_ id: String) async throws -> Conversation {
        guard let conversation = try await store.conversation(id: id) else {
            throw ChatEngineError(.unknownConversation, "There is no conversation \(id).")
        }
        return conversation
    }

    private func resolveAgent(_ name: String?, version: Int?) async throws -> Agent {
        guard let name else { return .plain(model: defaultModel) }
        guard let agent = try await store.agent(name: name, version: version) else {
            throw ChatEngineError(
                .unknownAgent, version.map { "There is no version \($0) of agent '\(name)'." } ?? "There is no agent '\(name)'.")
        }
        return agent
    }

    static func checkMessage(_ text: String) throws {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ChatEngineError(.emptyMessage, "The message is empty: say something.")
        }
    }

    static func checkIdentifier(_ value: String, _ what: String) throws {
        if value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            throw ChatEngineError(.invalidIdentifier, "The \(what) must be 1 to 200 characters, not only spaces.")
        }
    }
}
