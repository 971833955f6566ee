import Foundation
import HTTPTypes
import Hummingbird
import MistralChat
import MistralGatewayCore
import MistralKit
import NIOCore

/// Mistral's Conversations API over MistralChat: start, append (or run a failed turn again),
/// restart from an entry, get, list, delete, history and messages, streamed or not.
///
/// A turn takes the relayed request's path in (key, body, model, ledger room, the key's
/// admission with the turn's largest cost reserved), then runs in the chat engine inside the
/// key's lane of the upstream queue; each model call it makes is a ledger row under the key,
/// and their sum settles the admission. A key sees only its owner's conversations: another
/// owner's id is a 404, as an unknown one is. An end user's token (``EndUserTokens``) sees only
/// that user's conversations of the owner, and is billed to the key that asked for it.
struct ConversationsHandler: Sendable {
    let engine: ChatEngine
    let relay: RelayHandler
    let turns: TurnLedger
    let tokens: EndUserTokens

    static let startFields: Set<String> = [
        "inputs", "stream", "store", "handoff_execution", "instructions", "tools", "completion_args", "guardrails", "name", "description",
        "metadata", "agent_id", "agent_version", "model",
    ]
    static let appendFields: Set<String> = ["inputs", "stream", "store", "handoff_execution", "completion_args", "tool_confirmations"]
    static let restartFields: Set<String> = [
        "from_entry_id", "inputs", "stream", "store", "handoff_execution", "completion_args", "guardrails", "metadata", "agent_version",
    ]

    // MARK: - Turns

    /// `POST /v1/conversations`.
    func start(_ request: Request, channel: any Channel) async -> Response {
        await withCaller(request) { caller, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: Self.startFields)
            let inputs = ConversationWire.inputs(&fields, required: true)
            if case .functionResults = inputs { fields.refuse("inputs", "A new conversation starts with a message, not function results.") }
            let streaming = fields.bool("stream") ?? false
            let keep = fields.bool("store") ?? true
            let startSettings = Self.callerRunsFunctions(&fields) ? ChatEngine.TurnSettings(callerRunsFunctions: true) : nil
            let tools = ConversationWire.tools(&fields)
            var details = ConversationDetails(name: fields.string("name"), description: fields.string("description"))
            if let metadata = fields.object("metadata") { details.metadata = metadata }
            let agentID = fields.string("agent_id")
            let agentVersion = fields.raw("agent_version")
            let model = fields.string("model")
            let instructions = fields.string("instructions")
            var conversation = Conversation(
                userID: caller.endUser?.user ?? "api", sessionID: caller.endUser?.session ?? "api", owner: caller.key.owner, details: details)
            let persona: Agent
            if let agentID {
                if model != nil { fields.refuse("model", "Give agent_id or model, not both.") }
                if instructions != nil { fields.refuse("instructions", "An agent has its own instructions; instructions are for model conversations.") }
                if fields.has("completion_args") { fields.refuse("completion_args", "An agent has its own completion_args; change them on the agent.") }
                if tools != nil { fields.refuse("tools", "An agent has its own tools; change them on the agent.") }
                if fields.has("guardrails") { fields.refuse("guardrails", "An agent has its own guardrails; change them on the agent.") }
                try fields.check()
                persona = try await ownedAgent(agentID, reference: agentVersion, key: caller.key)
                conversation.agentName = agentID
                conversation.agentVersion = persona.version
            } else {
                guard let model else {
                    fields.refuse("model", "Give agent_id or model.", type: "missing")
                    try fields.check()
                    throw GatewayFailure.badRequest("unreachable")
                }
                var inline = Agent(name: "inline", model: model, instructions: instructions ?? "")
                if let arguments = fields.object("completion_args") { ConversationWire.apply(completionArguments: arguments, to: &inline, fields: &fields) }
                if let guardrails = ConversationWire.guardrails(&fields), !guardrails.isEmpty { inline.upstreamGuardrails = guardrails }
                try fields.check()
                if let tools {
                    inline.knowledgeBases = try await ownedLibraries(tools.libraries, key: caller.key)
                    inline.functions = tools.functions.isEmpty ? nil : tools.functions
                }
                conversation.details.inlineAgent = inline
                persona = inline
            }
            guard case .message(let text) = inputs else { throw GatewayFailure.badRequest("No inputs.") }
            let started = conversation
            let settings = startSettings
            return try await turn(
                key: caller.key, requestID: requestID, persona: persona, text: text, streaming: streaming, channel: channel,
                discarding: keep ? nil : started.id
            ) {
                streaming
                    ? .stream(try await engine.startStream(text, in: started, settings: settings))
                    : .whole(try await engine.start(text, in: started, settings: settings))
            }
        }
    }

    /// `POST /v1/conversations/{id}`: the next turn; without inputs, the last turn again when
    /// its answer failed.
    func append(_ request: Request, id: String, channel: any Channel) async -> Response {
        await withCaller(request) { caller, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: Self.appendFields)
            let inputs = ConversationWire.inputs(&fields, required: false)
            let streaming = fields.bool("stream") ?? false
            if fields.bool("store") == false { fields.refuse("store", "store: false is for a new conversation; this one is stored.") }
            if fields.has("guardrails") { fields.refuse("guardrails", "guardrails are set when a conversation starts (or on its agent), not per turn.") }
            let settings = Self.turnSettings(&fields)
            if let confirmations = fields.array("tool_confirmations"), !confirmations.isEmpty {
                fields.refuse("tool_confirmations", "There is no tool call waiting for a confirmation.")
            }
            try fields.check()
            let conversation = try await ownedConversation(id, caller: caller)
            let own = try await persona(of: conversation)
            let persona = settings?.apply(to: own) ?? own
            var text = ""
            if case .message(let message) = inputs { text = message }
            return try await turn(key: caller.key, requestID: requestID, persona: persona, text: text, streaming: streaming, channel: channel) {
                switch inputs {
                case .message(let text):
                    return streaming
                        ? .stream(try await engine.stream(text, conversationID: id, settings: settings))
                        : .whole(try await engine.send(text, conversationID: id, settings: settings))
                case .functionResults(let results):
                    // The caller ran the functions the answer waits on: it goes on with their results.
                    return streaming
                        ? .stream(try await engine.continueTurnStream(functionResults: results, conversationID: id))
                        : .whole(try await engine.continueTurn(functionResults: results, conversationID: id))
                case nil:
                    // No inputs: run the failed last turn again.
                    let turn = try await engine.retryLastTurn(conversationID: id)
                    if streaming { return .stream(Self.replay(turn)) }
                    return .whole(turn)
                }
            }
        }
    }

    /// `POST /v1/conversations/{id}/restart`: a new conversation with the entries up to and
    /// including `from_entry_id`, answered anew when `inputs` are given; the original stays.
    func restart(_ request: Request, id: String, channel: any Channel) async -> Response {
        await withCaller(request) { caller, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: Self.restartFields)
            let entryID = fields.string("from_entry_id", required: true)
            var text: String?
            switch ConversationWire.inputs(&fields, required: false) {
            case .message(let message): text = message
            case .functionResults: fields.refuse("inputs", "A restart goes on with a message, not function results.")
            case nil: break
            }
            let streaming = fields.bool("stream") ?? false
            if fields.bool("store") == false { fields.refuse("store", "store: false is for a new conversation; a restart is stored.") }
            let settings = Self.turnSettings(&fields)
            for name in ["metadata", "agent_version", "guardrails"] where fields.has(name) {
                fields.refuse(name, "A restart keeps the original's \(name) on this server.")
            }
            if let text, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fields.refuse("inputs", "The message is empty.") }
            try fields.check()
            let original = try await ownedConversation(id, caller: caller)
            let own = try await persona(of: original)
            let persona = settings?.apply(to: own) ?? own
            guard let entryID else { throw GatewayFailure.badRequest("No from_entry_id.") }
            let branch = try await engine.restart(conversationID: id, fromEntryID: entryID)
            guard let text else {
                return .json(ConversationWire.response(conversationID: branch.id, outputs: [], agentID: branch.agentName), headers: relay.requestHeaders(requestID))
            }
            return try await turn(key: caller.key, requestID: requestID, persona: persona, text: text, streaming: streaming, channel: channel) {
                streaming
                    ? .stream(try await engine.stream(text, conversationID: branch.id, settings: settings))
                    : .whole(try await engine.send(text, conversationID: branch.id, settings: settings))
            }
        }
    }

    /// A turn's settings over its agent's, for that turn only: its `completion_args`, and
    /// `handoff_execution: client` (every declared function goes back to the caller, even one
    /// the server runs); `nil` without either.
    private static func turnSettings(_ fields: inout RequestFields) -> ChatEngine.TurnSettings? {
        var settings = ChatEngine.TurnSettings(callerRunsFunctions: callerRunsFunctions(&fields))
        var given = settings.callerRunsFunctions
        if let arguments = fields.object("completion_args") {
            var scratch = Agent(name: "turn")
            ConversationWire.apply(completionArguments: arguments, to: &scratch, fields: &fields)
            settings.temperature = scratch.temperature
            settings.maxTokens = scratch.maxTokens
            settings.completionArguments = scratch.completionArguments
            given = true
        }
        return given ? settings : nil
    }

    /// Whether the request asks `handoff_execution: client` ("server", the default, is false).
    private static func callerRunsFunctions(_ fields: inout RequestFields) -> Bool {
        switch fields.string("handoff_execution") {
        case "client"?: return true
        case nil, "server"?: return false
        case let other?:
            fields.refuse("handoff_execution", "handoff_execution is 'server' or 'client', not '\(other)'.")
            return false
        }
    }

    // MARK: - Reading and deleting

    /// `GET /v1/conversations/{id}`.
    func get(_ request: Request, id: String) async -> Response {
        await withCaller(request) { caller, requestID in
            .json(ConversationWire.conversation(try await ownedConversation(id, caller: caller)), headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/conversations?page=&page_size=&metadata=`: the owner's conversations, latest
    /// activity first, as a bare array. `metadata`, a JSON object, keeps those whose metadata
    /// holds every member given; anything else (SDK 3.x sends a placeholder string) is no filter.
    func list(_ request: Request) async -> Response {
        await withCaller(request) { caller, requestID in
            let query = request.uri.queryParameters
            let page = query["page"].flatMap { Int(String($0)) } ?? 0
            let size = query["page_size"].flatMap { Int(String($0)) } ?? 100
            guard page >= 0, (1...ConversationService.maximumPageSize).contains(size) else {
                throw GatewayFailure.validation([
                    "detail": [RequestFields.issue(["query", "page_size"], "page must be 0 or more and page_size 1 to 1000", "value_error", input: nil)]
                ])
            }
            let filter = query["metadata"].flatMap { try? JSONParser.parse(Array(String($0).utf8)) }?.objectValue ?? [:]
            var matching: [Conversation] = []
            var offset = 0
            // Filtered in pages of the store's largest, until the asked page is full.
            while matching.count < (page + 1) * size {
                let batch = try await engine.conversations.list(owner: caller.key.owner, userID: caller.endUser?.user, limit: ConversationService.maximumPageSize, offset: offset)
                matching += batch.filter { conversation in filter.allSatisfy { conversation.details.metadata[$0.key] == $0.value } }
                guard batch.count == ConversationService.maximumPageSize else { break }
                offset += batch.count
            }
            let shown = matching.dropFirst(page * size).prefix(size)
            return .json(.array(shown.map(ConversationWire.conversation)), headers: relay.requestHeaders(requestID))
        }
    }

    /// `DELETE /v1/conversations/{id}`: 204.
    func delete(_ request: Request, id: String) async -> Response {
        await withCaller(request) { caller, requestID in
            _ = try await ownedConversation(id, caller: caller)
            try await engine.deleteConversation(id: id)
            return Response(status: .noContent, headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/conversations/{id}/history`: every entry, failed answers marked.
    func history(_ request: Request, id: String) async -> Response {
        await entries(request, id: id, object: "conversation.history", member: "entries") { try await engine.history(conversationID: id) }
    }

    /// `GET /v1/conversations/{id}/messages`: the user's messages and the completed answers.
    func messages(_ request: Request, id: String) async -> Response {
        await entries(request, id: id, object: "conversation.messages", member: "messages") { try await engine.messages(conversationID: id) }
    }

    /// A conversation's entries that `load` reads, as Mistral's `object` listing them in `member`.
    private func entries(
        _ request: Request, id: String, object: String, member: String, _ load: () async throws -> [ConversationEntry]
    ) async -> Response {
        await withCaller(request) { caller, requestID in
            let conversation = try await ownedConversation(id, caller: caller)
            let entries = try await load()
            return .json(
                [
                    "object": .string(object), "conversation_id": .string(id),
                    member: .array(entries.map { ConversationWire.entry($0, agentID: conversation.agentName) }),
                ], headers: relay.requestHeaders(requestID))
        }
    }

    // MARK: - Steps

    /// The conversation `id` when the caller's owner has it (and, for an end user, when it is
    /// theirs); a 404 otherwise, whoever has it.
    func ownedConversation(_ id: String, caller: Caller) async throws -> Conversation {
        guard let conversation = try await engine.store.conversation(id: id), conversation.owner == caller.key.owner,
            caller.endUser.map({ $0.user == conversation.userID }) ?? true
        else {
            throw ChatEngineError(.unknownConversation, "There is no conversation \(id).")
        }
        return conversation
    }

    /// The agent `id` at the version `reference` names (a number from 0, an alias; `nil`: the
    /// active version) when `key`'s owner has it.
    func ownedAgent(_ id: String, reference: JSONValue?, key: VirtualKey) async throws -> Agent {
        switch reference {
        case nil, .null?:
            _ = try await ownedAgent(id, version: nil, key: key)
            return try await ownedAgent(id, version: try await engine.conversations.activeVersion(of: id), key: key)
        case .string(let text)?:
            if let number = Int(text), number >= 0 { return try await ownedAgent(id, version: number + 1, key: key) }
            _ = try await ownedAgent(id, version: nil, key: key)
            guard text != ConversationService.activeAlias,
                let alias = try await engine.store.agentAliases(name: id).first(where: { $0.alias == text })
            else { throw ChatEngineError(.unknownAgent, "Agent \(id) has no version or alias '\(text)'.") }
            return try await ownedAgent(id, version: alias.version, key: key)
        case let value?:
            guard let number = value.doubleValue.flatMap({ Int(exactly: $0) }), number >= 0 else {
                throw GatewayFailure.validation([
                    "detail": [RequestFields.issue(["body", "agent_version"], "agent_version is a version number from 0 or an alias", "value_error", input: value)]
                ])
            }
            return try await ownedAgent(id, version: number + 1, key: key)
        }
    }

    /// The agent `id` (at `version`, the engine's numbering; `nil`: its latest) when `key`'s owner has it.
    func ownedAgent(_ id: String, version: Int?, key: VirtualKey) async throws -> Agent {
        guard let agent = try await engine.store.agent(name: id, version: version), agent.owner == key.owner else {
            throw ChatEngineError(.unknownAgent, version.map { "Agent \(id) has no version \($0 - 1)." } ?? "There is no agent \(id).")
        }
        return agent
    }

    /// `ids`, when every one is a library of `key`'s owner; a 404 naming the first that is not.
    func ownedLibraries(_ ids: [String], key: VirtualKey) async throws -> [String] {
        for id in ids {
            guard let base = try await engine.store.knowledgeBase(name: id), base.owner == key.owner else {
                throw ChatEngineError(.unknownKnowledgeBase, "There is no library \(id).")
            }
        }
        return ids
    }

    private func persona(of conversation: Conversation) async throws -> Agent {
        if let name = conversation.agentName, let agent = try await engine.store.agent(name: name, version: conversation.agentVersion) { return agent }
        return conversation.details.inlineAgent ?? .plain(model: engine.defaultModel)
    }

    enum Outcome: Sendable {
        case whole(ChatEngine.Turn)
        case stream(AsyncThrowingStream<ChatEngine.TurnEvent, any Error>)
    }

    /// Admits a turn of `persona` for `key` (model allowed, ledger room, limits, the turn's
    /// largest cost reserved), runs `work` billed to the key in its queue lane, and answers.
    /// With `discarding`, that conversation is deleted once the turn ends (`store: false`): the
    /// caller gets the answer, the ledger keeps its cost, the database keeps nothing else.
    private func turn(
        key: VirtualKey, requestID: String, persona: Agent, text: String, streaming: Bool, channel: any Channel,
        discarding: String? = nil, _ work: @escaping @Sendable () async throws -> Outcome
    ) async throws -> Response {
        let engine = engine
        @Sendable func discard() async {
            if let discarding { try? await engine.deleteConversation(id: discarding) }
        }
        guard key.allows(model: persona.model) else { throw GatewayFailure.modelNotAllowed(persona.model) }
        guard !relay.ledger.isFull else { throw GatewayFailure.ledgerFull }
        let gate = try await relay.openGate(for: key)
        let admission = try gate.admit(estimate(persona, text: text))
        let account = TurnAccount(key: key, requestID: requestID, endpoint: "conversations")
        let outcome: Outcome
        do {
            outcome = try await inLane(of: key, billedTo: account) { try await work() }
        } catch {
            admission.finish(record: account.total)
            await discard()
            throw error
        }
        switch outcome {
        case .whole(let turn):
            admission.finish(record: account.total)
            await discard()
            return .json(ConversationWire.response(turn), headers: relay.requestHeaders(requestID))
        case .stream(let events):
            return eventStream(events, requestID: requestID, channel: channel) {
                admission.finish(record: account.total)
                await discard()
            }
        }
    }

    /// Runs `work` in `key`'s lane of the upstream queue (as the key's relayed requests wait;
    /// `batch` lowers its priority), with every model call it makes billed to `account`.
    func inLane<Result: Sendable>(
        of key: VirtualKey, billedTo account: TurnAccount, batch: Bool = false, _ work: () async throws -> Result
    ) async throws -> Result {
        var scheduling = relay.scheduling(for: key, HTTPFields())
        if batch { scheduling.priority = .batch }
        return try await FairQueue.Scheduling.with(scheduling) { try await turns.billing(account) { try await work() } }
    }

    /// The most a turn of `persona` may cost: a prompt as large as its context budget (plus
    /// the message) and its longest answer.
    private func estimate(_ persona: Agent, text: String) -> CallEstimate {
        let prompt = persona.context.budgetTokens + engine.client.configuration.tokenCounter.tokens(in: text)
        let completion = persona.maxTokens ?? relay.configuration.assumedCompletionTokens
        let cost = engine.client.configuration.prices.cost(promptTokens: prompt, completionTokens: completion, model: persona.model)
        return CallEstimate(promptTokens: prompt, completionTokens: completion, costUSD: cost)
    }

    /// A stored turn as the events of a stream that already ended.
    private static func replay(_ turn: ChatEngine.Turn) -> AsyncThrowingStream<ChatEngine.TurnEvent, any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(.started(conversation: turn.conversation, input: turn.input, output: turn.output))
            continuation.yield(.delta(turn.answer))
            continuation.yield(.finished(turn))
            continuation.finish()
        }
    }

    /// The turn's events as Mistral's conversation event stream. A client that goes away
    /// cancels the turn (stored as failed with what arrived); a failure after the head is a
    /// `conversation.response.error` event, never a `done`.
    private func eventStream(
        _ events: AsyncThrowingStream<ChatEngine.TurnEvent, any Error>, requestID: String, channel: any Channel,
        settle: @escaping @Sendable () async -> Void
    ) -> Response {
        var headers = relay.requestHeaders(requestID)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[RelayHandler.accelBuffering] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let (frames, continuation) = AsyncStream<[UInt8]>.makeStream()
                // Read in a task of its own that the connection's closing cancels: the writer may
                // be waiting for the next piece and would not notice the client leaving.
                let reader = Task {
                    var agentID: String?
                    var output: ConversationEntry?
                    do {
                        for try await event in events {
                            switch event {
                            case .started(let conversation, _, let entry):
                                output = entry
                                agentID = conversation.agentName
                                continuation.yield(ConversationEvents.started(conversationID: conversation.id))
                            case .delta(let piece):
                                if let output { continuation.yield(ConversationEvents.delta(piece, output: output, agentID: agentID)) }
                            case .finished(let turn):
                                for frame in ConversationEvents.citations(turn.output, agentID: agentID) { continuation.yield(frame) }
                                for (index, call) in turn.functionCalls.enumerated() {
                                    continuation.yield(ConversationEvents.functionCall(call, index: index, model: turn.output.model, agentID: agentID))
                                }
                                continuation.yield(ConversationEvents.done(turn.output))
                            }
                        }
                    } catch {
                        let failure = Self.failure(error)
                        continuation.yield(ConversationEvents.error(failure.message, code: failure.status))
                    }
                    continuation.finish()
                }
                channel.closeFuture.whenComplete { _ in reader.cancel() }
                for await frame in frames {
                    do {
                        try await writer.write(ByteBuffer(bytes: frame))
                    } catch {
                        reader.cancel()
                        break
                    }
                }
                await reader.value
                await settle()
                try? await writer.finish(nil)
            })
    }

    // MARK: - Answers

    /// Authenticates, then answers with `body`'s response or the failure it throws, in
    /// Mistral's shapes (404 for what the owner does not have, 422 for bad input).
    func withCaller(_ request: Request, _ body: (Caller, String) async throws -> Response) async -> Response {
        await answer(await relay.keys.caller(request, tokens: tokens), body)
    }

    /// Like ``withCaller(_:_:)``, for gateway keys only (an end-user token gets 403).
    func withKey(_ request: Request, _ body: (VirtualKey, String) async throws -> Response) async -> Response {
        await answer(await relay.keys.authenticate(request), body)
    }

    /// `body`'s response for an authenticated caller, or the failure either throws, with a request id.
    private func answer<Authenticated>(
        _ authenticated: Result<Authenticated, GatewayFailure>, _ body: (Authenticated, String) async throws -> Response
    ) async -> Response {
        let requestID = RelayHandler.newRequestID()
        switch authenticated {
        case .failure(let failure): return relay.respond(failure, requestID: requestID)
        case .success(let caller):
            do {
                return try await body(caller, requestID)
            } catch {
                return relay.respond(Self.failure(error), requestID: requestID)
            }
        }
    }

    static func failure(_ error: any Error) -> GatewayFailure {
        if let failure = error as? GatewayFailure { return failure }
        guard let error = error as? ChatEngineError else { return .relay(MistralError(normalizing: error)) }
        let (status, type): (Int, String) =
            switch error.kind {
            case .unknownConversation, .unknownAgent, .unknownEntry, .unknownKnowledgeBase: (404, "not_found_error")
            case .emptyMessage, .invalidIdentifier, .invalidAgent, .invalidPage, .invalidKnowledgeBase, .unreadableDocument, .invalidFunctionResults:
                (422, "invalid_request_error")
            case .nothingToRetry: (409, "invalid_request_error")
            default: (503, "gateway_storage_unavailable")
            }
        if status == 422 {
            return .validation(["detail": [RequestFields.issue(["body"], error.message, "value_error", input: nil)]])
        }
        return .envelope(status: status, message: error.message, type: type, retryAfter: status == 503 ? .seconds(1) : nil, outcome: error.kind.description)
    }
}
