import Foundation
import MistralKit

/// The chatbot engine: durable multi-turn conversations per user and session, answered by a
/// persona over any chat model, stored in your own database.
///
/// Each turn is atomic: the user's message is stored (with the answer as `pending`) before the
/// model is called; the answer is stored when complete; a failed, cut or cancelled call leaves
/// the answer `failed` with its error and whatever text arrived, and ``retryLastTurn(conversationID:)``
/// runs it again. Nothing is half written and nothing is lost.
public final class ChatEngine: Sendable {
    /// The client every model call goes through, with its retries, limits and usage records.
    public let client: MistralClient
    /// Where conversations, agents and knowledge bases are stored.
    public let store: any ChatStore
    /// The model used when no agent is named.
    public let defaultModel: String
    /// The tools agents may use, by name.
    public let tools: [String: ChatTool]
    /// How tool calls run: steps per turn, time per call, concurrency, and what webhooks are called through.
    public let toolPolicy: ToolPolicy
    /// Retrieval from the knowledge bases agents list.
    public let knowledge: KnowledgeService
    /// Chunks retrieved for an answer, from all of an agent's knowledge bases together.
    public let citationsPerAnswer: Int
    /// The engine's conversations: finding, reading, branching, pinning and deleting them.
    public let conversations: ConversationService
    private let sources: AnswerSources
    private let summarizer: TurnSummarizer
    private let moderation: Moderation
    private let toolLoop: ToolLoop

    /// An engine answering with `client`, storing in `store`. `tools` are the business actions
    /// agents may list by name.
    /// This engine's name in the leases of the answers it produces.
    public let instanceID = "engine-" + UUID().uuidString.lowercased()
    /// How long an answer's lease runs without renewal: an answer pending longer than this
    /// without its producer renewing it (every second while it works) is abandoned.
    public let leaseDuration: Duration

    public init(
        client: MistralClient, store: any ChatStore, defaultModel: String = "mistral-small-latest", tools: [ChatTool] = [],
        toolPolicy: ToolPolicy = ToolPolicy(), citationsPerAnswer: Int = 5, leaseDuration: Duration = .seconds(30)
    ) {
        self.leaseDuration = leaseDuration
        self.client = client
        self.store = store
        self.defaultModel = defaultModel
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.toolPolicy = toolPolicy
        self.knowledge = KnowledgeService(client: client, store: store)
        self.citationsPerAnswer = max(1, citationsPerAnswer)
        self.conversations = ConversationService(store: store)
        self.sources = AnswerSources(knowledge: knowledge, limit: self.citationsPerAnswer)
        self.summarizer = TurnSummarizer(client: client)
        self.moderation = Moderation(client: client)
        self.toolLoop = ToolLoop(client: client, store: store, tools: self.tools, policy: toolPolicy)
    }

    /// One finished exchange.
    public struct Turn: Sendable, Hashable {
        /// The conversation the exchange belongs to.
        public var conversation: Conversation
        /// The user's message, as stored.
        public var input: ConversationEntry
        /// The answer, as stored: `complete`, with its model, usage and citations.
        public var output: ConversationEntry
        /// Turns left out of the prompt to fit the agent's context budget.
        public var droppedTurns: Int
        /// Calls of functions the caller runs, when the answer is ``ConversationEntry/Status-swift.enum/waiting``
        /// for their results (give them with ``ChatEngine/continueTurn(functionResults:conversationID:)``).
        public var functionCalls: [ConversationEntry] = []
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

    // MARK: - Turns

    /// Sends `text` as `userID` in `sessionID` and returns the stored answer.
    ///
    /// - Throws: ``ChatEngineError`` (`.emptyMessage`, `.invalidIdentifier`, `.unknownAgent`,
    ///   `.invalidAgent`) with nothing stored; a `MistralError` from the model after the turn was
    ///   stored as failed.
    public func send(_ text: String, userID: String, sessionID: String, agentName: String? = nil) async throws -> Turn {
        try TurnValidation.checkMessage(text)
        let (conversation, agent) = try await conversations.continuing(userID: userID, sessionID: sessionID, agentName: agentName)
        return try await answer(try await beginTurn(text, in: conversation, agent: agent ?? .plain(model: defaultModel)))
    }

    /// Starts `conversation` (new, not yet stored: its owner, user, session, agent or inline
    /// persona, details) with `text` as its first message, and returns the stored answer.
    ///
    /// - Throws: ``ChatEngineError`` (`.emptyMessage`, `.invalidIdentifier`, `.unknownAgent`,
    ///   `.invalidAgent`) with nothing stored; a `MistralError` from the model after the
    ///   conversation and its turn were stored, the answer as failed.
    public func start(_ text: String, in conversation: Conversation, settings: TurnSettings? = nil) async throws -> Turn {
        try await answer(try await beginConversation(text, conversation, settings: settings))
    }

    /// Like ``start(_:in:settings:)``, with the answer streamed as ``stream(_:conversationID:settings:)`` does.
    public func startStream(_ text: String, in conversation: Conversation, settings: TurnSettings? = nil) async throws
        -> AsyncThrowingStream<TurnEvent, any Error>
    {
        streamed(try await beginConversation(text, conversation, settings: settings))
    }

    /// Checks `text`, the conversation's ids and its persona, then stores the conversation and
    /// the turn's first entries.
    private func beginConversation(_ text: String, _ conversation: Conversation, settings: TurnSettings?) async throws -> PendingTurn {
        try TurnValidation.checkMessage(text)
        var conversation = try await conversations.validated(conversation)
        let own = try await agent(for: conversation)
        let agent = settings?.apply(to: own) ?? own
        _ = try TurnValidation.tools(of: agent, in: tools)
        try await TurnValidation.checkKnowledgeBases(of: agent, in: store)
        conversation.agentVersion = conversation.agentName == nil ? nil : agent.version
        try await store.createConversation(conversation)
        return try await beginTurn(text, in: conversation, agent: agent)
    }

    /// Sends `text` in the conversation `conversationID`.
    ///
    /// - Throws: ``ChatEngineError`` (`.emptyMessage`, `.unknownConversation`) with nothing
    ///   stored; a `MistralError` from the model after the turn was stored as failed.
    /// `settings`, when given, change this turn's model call settings only (Mistral's
    /// `completion_args` on an append); the agent and the conversation keep theirs.
    public func send(_ text: String, conversationID: String, settings: TurnSettings? = nil) async throws -> Turn {
        try await answer(try await beginTurn(text, conversationID: conversationID, settings: settings))
    }

    /// Settings of one turn's model calls, over the agent's own.
    public struct TurnSettings: Sendable, Hashable {
        public var temperature: Double?
        public var maxTokens: Int?
        public var completionArguments: CompletionArguments?
        /// Every declared function goes back to the caller this turn, even one the engine runs.
        public var callerRunsFunctions: Bool

        public init(
            temperature: Double? = nil, maxTokens: Int? = nil, completionArguments: CompletionArguments? = nil, callerRunsFunctions: Bool = false
        ) {
            self.temperature = temperature
            self.maxTokens = maxTokens
            self.completionArguments = completionArguments
            self.callerRunsFunctions = callerRunsFunctions
        }

        /// `agent` with these settings over its own.
        public func apply(to agent: Agent) -> Agent {
            var adjusted = agent
            if let temperature { adjusted.temperature = temperature }
            if let maxTokens { adjusted.maxTokens = maxTokens }
            if let completionArguments { adjusted.completionArguments = completionArguments }
            if callerRunsFunctions { adjusted.callerRunsFunctions = true }
            return adjusted
        }
    }

    /// What was settled before the model is called: a turn's conversation, agent, tools and the
    /// history its prompt is made from, with the stored message and `pending` answer.
    private struct PendingTurn: Sendable {
        var conversation: Conversation
        var agent: Agent
        var tools: [ChatTool]
        /// The conversation's entries before the answer, the user's message last.
        var history: [ConversationEntry]
        var input: ConversationEntry
        var output: ConversationEntry
    }

    /// ``beginTurn(_:in:agent:)`` in the stored conversation `conversationID`.
    private func beginTurn(_ text: String, conversationID: String, settings: TurnSettings? = nil) async throws -> PendingTurn {
        try TurnValidation.checkMessage(text)
        let conversation = try await conversations.conversation(id: conversationID)
        let agent = try await agent(for: conversation)
        return try await beginTurn(text, in: conversation, agent: settings?.apply(to: agent) ?? agent)
    }

    /// Checks everything that can be checked, then stores the user's message with a `pending`
    /// answer in one transaction: bad input leaves the store untouched.
    private func beginTurn(_ text: String, in conversation: Conversation, agent: Agent) async throws -> PendingTurn {
        let offered = try TurnValidation.tools(of: agent, in: tools)
        try await TurnValidation.checkKnowledgeBases(of: agent, in: store)
        // Answers whose process stopped are failed first, so they read as what they are.
        _ = try await store.failAbandonedTurns(conversationID: conversation.id, now: Date())
        // Read before the append: the new message joins it as the store returns it, not read back.
        let earlier = try await store.entries(conversationID: conversation.id)
        let stored = try await store.append(
            [
                ConversationEntry(conversationID: conversation.id, kind: .input, content: text),
                ConversationEntry(
                    conversationID: conversation.id, kind: .output, content: "", status: .pending, model: agent.model, lease: newLease()),
            ], to: conversation.id)
        return PendingTurn(
            conversation: conversation, agent: agent, tools: offered, history: earlier + [stored[0]], input: stored[0], output: stored[1])
    }

    /// What a streamed turn delivers: pieces of the answer as they arrive, then the stored turn.
    public enum TurnEvent: Sendable, Hashable {
        /// The turn is stored, its answer `pending`: the first event, naming the conversation
        /// and the entries the turn fills (a server streams the answer under the output's id).
        case started(conversation: Conversation, input: ConversationEntry, output: ConversationEntry)
        /// The next piece of the answer's text.
        case delta(String)
        /// The answer is complete and stored; the last event of the stream.
        case finished(Turn)
    }

    /// Like ``send(_:conversationID:)``, with the answer streamed. The answer is stored when
    /// the stream finishes; when it is cut, fails or the consumer stops early, the turn is stored
    /// as failed with what arrived, and the stream throws.
    public func stream(_ text: String, conversationID: String, settings: TurnSettings? = nil) async throws -> AsyncThrowingStream<TurnEvent, any Error> {
        streamed(try await beginTurn(text, conversationID: conversationID, settings: settings))
    }

    /// Answers `pending`, handing over the answer's pieces as they arrive.
    private func streamed(_ pending: PendingTurn) -> AsyncThrowingStream<TurnEvent, any Error> {
        let (events, continuation) = AsyncThrowingStream.makeStream(of: TurnEvent.self)
        continuation.yield(.started(conversation: pending.conversation, input: pending.input, output: pending.output))
        let work = Task {
            do {
                let turn = try await self.answer(pending) { piece in continuation.yield(.delta(piece)) }
                continuation.yield(.finished(turn))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return events
    }

    /// The result of a function the caller ran, for the call with `callID`.
    public struct FunctionResult: Sendable, Hashable {
        public var callID: String
        public var result: String

        public init(callID: String, result: String) {
            self.callID = callID
            self.result = result
        }
    }

    /// Goes on with the turn whose answer waits for the results of functions the caller runs:
    /// stores the results, then produces the answer (the model may call functions again).
    ///
    /// - Throws: ``ChatEngineError`` `.invalidFunctionResults` when no answer waits, or `results`
    ///   do not answer each waiting call exactly once, and `.unknownConversation`, with nothing
    ///   stored; a `MistralError` from the model after the answer was stored as failed.
    public func continueTurn(functionResults results: [FunctionResult], conversationID: String) async throws -> Turn {
        try await answer(try await beginContinuation(results, conversationID: conversationID))
    }

    /// Like ``continueTurn(functionResults:conversationID:)``, with the answer streamed.
    public func continueTurnStream(functionResults results: [FunctionResult], conversationID: String) async throws
        -> AsyncThrowingStream<TurnEvent, any Error>
    {
        streamed(try await beginContinuation(results, conversationID: conversationID))
    }

    private func beginContinuation(_ results: [FunctionResult], conversationID: String) async throws -> PendingTurn {
        let conversation = try await conversations.conversation(id: conversationID)
        let entries = try await store.entries(conversationID: conversationID)
        guard var output = entries.last(where: { $0.kind == .output }), output.status == .waiting,
            let input = entries.last(where: { $0.kind == .input && $0.position < output.position })
        else {
            throw ChatEngineError(.invalidFunctionResults, "No answer of conversation \(conversationID) waits for function results.")
        }
        let answered = Set(entries.filter { $0.kind == .functionResult }.compactMap(\.toolCallID))
        let waiting = entries.filter { $0.kind == .functionCall && $0.position > output.position && !answered.contains($0.toolCallID ?? "") }
        let waitingIDs = waiting.compactMap(\.toolCallID)
        guard results.count == waitingIDs.count, Set(results.map(\.callID)) == Set(waitingIDs) else {
            throw ChatEngineError(
                .invalidFunctionResults,
                "The answer waits for the results of the calls \(waitingIDs.joined(separator: ", ")), one each; got \(results.map(\.callID).joined(separator: ", ")).")
        }
        let agent = try await agent(for: conversation)
        let offered = try TurnValidation.tools(of: agent, in: tools)
        let stored = try await store.append(
            results.map { result in
                ConversationEntry(
                    conversationID: conversationID, kind: .functionResult, content: result.result, toolCallID: result.callID,
                    toolName: waiting.first { $0.toolCallID == result.callID }?.toolName)
            }, to: conversationID)
        output.status = .pending
        output.lease = newLease()
        try await store.update(output)
        return PendingTurn(
            conversation: conversation, agent: agent, tools: offered, history: (entries + stored).filter { $0.id != output.id }, input: input,
            output: output)
    }

    /// Runs the last turn again when its answer failed.
    ///
    /// - Throws: ``ChatEngineError`` `.nothingToRetry` when the last answer did not fail, and
    ///   `.unknownConversation`, `.unknownAgent` or `.invalidAgent`, with nothing changed; a
    ///   `MistralError` from the model after the answer was stored as failed again.
    public func retryLastTurn(conversationID: String) async throws -> Turn {
        let conversation = try await conversations.conversation(id: conversationID)
        // An answer whose process stopped is failed, and so can be run again.
        _ = try await store.failAbandonedTurns(conversationID: conversationID, now: Date())
        let entries = try await store.entries(conversationID: conversationID)
        guard var output = entries.last(where: { $0.kind == .output }), output.status == .failed,
            let input = entries.last(where: { $0.kind == .input && $0.position < output.position })
        else {
            throw ChatEngineError(.nothingToRetry, "The last answer of conversation \(conversationID) did not fail; there is nothing to retry.")
        }
        let agent = try await agent(for: conversation)
        let offered = try TurnValidation.tools(of: agent, in: tools)
        output.status = .pending
        output.content = ""
        output.error = nil
        output.lease = newLease()
        try await store.update(output)
        return try await answer(
            PendingTurn(
                conversation: conversation, agent: agent, tools: offered, history: entries.filter { $0.position < output.position }, input: input,
                output: output))
    }

    // MARK: - Answering

    /// Produces and stores the answer of `turn`; with `onDelta`, streamed.
    private func answer(_ turn: PendingTurn, onDelta: (@Sendable (String) -> Void)? = nil) async throws -> Turn {
        let (conversation, agent, input) = (turn.conversation, turn.agent, turn.input)
        var output = turn.output
        // While it works, the answer's lease is renewed and what has streamed so far is written
        // every second, so a crash loses at most about a second of it.
        let keeper = AnswerKeeper(output: output, store: store, lease: { [self] in newLease() })
        var keptDelta: (@Sendable (String) -> Void)?
        if let deliver = onDelta {
            keptDelta = { @Sendable piece in
                keeper.received(piece)
                deliver(piece)
            }
        }
        let onDelta = keptDelta
        let keeping = Task { await keeper.run() }
        defer { keeping.cancel() }
        // Stops the checkpoints before the answer's final write, which none may overwrite.
        func stopKeeping() async {
            keeping.cancel()
            await keeping.value
        }
        let tags = ["user": conversation.userID, "session": conversation.sessionID, "conversation": conversation.id]
        let context = ContextBuilder(agent: agent, counter: client.configuration.tokenCounter).build(conversation: conversation, history: turn.history)
        var summary: String?
        if agent.context.summarizeOlderTurns, context.droppedTurns > 0 {
            summary = await summarizer.summary(of: context.droppedMessages, conversationID: conversation.id, model: agent.model, tags: tags)
        }
        var messages = context.messages(summary: summary)
        do {
            if let guardrails = agent.guardrails, guardrails.moderateInput, try await moderation.flags(input.content, guardrails, tags: tags) {
                output.content = guardrails.refusalMessage
                output.error = "input flagged by moderation"
            } else {
                if !agent.knowledgeBases.isEmpty {
                    output.citations = try await sources.citations(for: input.content, from: agent.knowledgeBases)
                    messages = AnswerSources.prompt(output.citations, messages)
                }
                let answer = try await toolLoop.answer(
                    messages, agent: agent, offering: turn.tools, conversationID: conversation.id, tags: tags, onDelta: onDelta)
                if !answer.clientCalls.isEmpty {
                    // The caller runs these functions: the answer waits for their results.
                    output.status = .waiting
                    output.model = answer.response.model.isEmpty ? agent.model : answer.response.model
                    output.promptTokens = answer.promptTokens
                    output.completionTokens = answer.completionTokens
                    output.lease = nil
                    await stopKeeping()
                    try await store.update(output)
                    var waiting = Turn(conversation: conversation, input: input, output: output, droppedTurns: context.droppedTurns)
                    waiting.functionCalls = answer.clientCalls
                    return waiting
                }
                output.content = answer.response.text
                output.model = answer.response.model.isEmpty ? agent.model : answer.response.model
                output.promptTokens = answer.promptTokens
                output.completionTokens = answer.completionTokens
                if let guardrails = agent.guardrails, guardrails.moderateOutput, try await moderation.flags(output.content, guardrails, tags: tags) {
                    output.content = guardrails.refusalMessage
                    output.error = "answer flagged by moderation"
                }
            }
            output.status = .complete
            output.completedAt = Date()
            output.lease = nil
            await stopKeeping()
            try await store.update(output)
        } catch {
            output.status = .failed
            output.error = Task.isCancelled && !(error is MistralError) ? "cancelled: \(error)" : "\(error)"
            output.content = (error as? MistralError)?.partial?.text ?? output.content
            output.completedAt = Date()
            output.lease = nil
            await stopKeeping()
            let failed = output
            // Recorded even when the calling task was cancelled.
            try? await Task.detached { try await self.store.update(failed) }.value
            throw error
        }
        return Turn(conversation: conversation, input: input, output: output, droppedTurns: context.droppedTurns)
    }

    private func newLease() -> TurnLease {
        let seconds = Double(leaseDuration.components.seconds) + Double(leaseDuration.components.attoseconds) / 1e18
        return TurnLease(owner: instanceID, until: Date().addingTimeInterval(seconds))
    }

    /// The agent that answers `conversation`: the version it started with, or the default model.
    ///
    /// - Throws: ``ChatEngineError`` `.unknownAgent` when that agent or version is gone.
    private func agent(for conversation: Conversation) async throws -> Agent {
        try await conversations.agent(named: conversation.agentName, version: conversation.agentVersion) ?? conversation.details.inlineAgent
            ?? .plain(model: defaultModel)
    }
}
