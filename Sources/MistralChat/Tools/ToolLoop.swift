import MistralKit

/// One turn's model calls: calls the model, runs the tool calls it asks for (stored as entries
/// of the conversation) and calls it again with their results, until it answers.
///
/// After ``ToolPolicy/maxSteps`` calls that could ask for tools, the model is told to answer
/// (`tool_choice: none`). A failing tool never fails the turn (see ``ToolRunner``); a failing
/// model call or store write does, with its error.
struct ToolLoop: Sendable {
    let client: MistralClient
    let store: any ConversationStore
    let runner: ToolRunner

    init(client: MistralClient, store: any ConversationStore, tools: [String: ChatTool], policy: ToolPolicy) {
        self.client = client
        self.store = store
        self.runner = ToolRunner(tools: tools, policy: policy)
    }

    /// The model's final answer, with the tokens of every call of the turn added up; or, when it
    /// called functions the caller runs, those calls (stored), and no answer yet.
    struct Answer: Sendable {
        var response: ChatCompletionResponse
        var promptTokens: Int
        var completionTokens: Int
        /// The calls of functions the caller runs, stored as entries: the turn waits for their results.
        var clientCalls: [ConversationEntry] = []
    }

    /// Answers `messages` with `agent`'s model and settings, offering it `tools`; with `onDelta`,
    /// each call is streamed and its text handed over as it arrives.
    ///
    /// - Throws: the `MistralError` of a failed model call (a cut stream keeps what arrived in
    ///   its `partial`), or the store's error; tool entries stored before stay stored.
    func answer(
        _ messages: [ChatMessage], agent: Agent, offering tools: [ChatTool], conversationID: String, tags: [String: String],
        onDelta: (@Sendable (String) -> Void)?
    ) async throws -> Answer {
        var messages = messages
        var promptTokens = 0
        var completionTokens = 0
        var step = 0
        while true {
            step += 1
            // A declared function the engine has a tool for (a Swift or webhook tool of the server)
            // runs here; the others are the caller's to run.
            let offeredNames = Set(tools.map(\.name))
            let functions = (agent.functions ?? []).filter { !offeredNames.contains($0.function?.name ?? "") }
            let offered = tools.map(\.definition) + functions
            let mayCallTools = !offered.isEmpty && step <= runner.policy.maxSteps
            var request = ChatCompletionRequest(
                model: agent.model, messages: messages, temperature: agent.temperature, maxTokens: agent.maxTokens,
                tools: offered.isEmpty ? nil : offered, toolChoice: offered.isEmpty ? nil : (mayCallTools ? .auto : ToolChoice.none))
            agent.completionArguments?.apply(to: &request)
            if let guardrails = agent.upstreamGuardrails, !guardrails.isEmpty { request.guardrails = guardrails }
            let response = try await call(request, tags: tags, onDelta: onDelta)
            promptTokens += response.usage?.promptTokens ?? 0
            completionTokens += response.usage?.completionTokens ?? 0
            guard mayCallTools, let calls = response.message?.toolCalls, !calls.isEmpty else {
                return Answer(response: response, promptTokens: promptTokens, completionTokens: completionTokens)
            }
            let declared = Set(functions.compactMap { $0.function?.name })
            let clientNames = agent.callerRunsFunctions == true ? declared : declared.subtracting(runner.tools.keys)
            let serverCalls = calls.filter { !clientNames.contains($0.function.name) }
            let clientCalls = calls.filter { clientNames.contains($0.function.name) }
            // A call the caller answers needs an id to answer it by.
            let storedCalls = try await store.append(
                (serverCalls.map { call in (call, call.id) } + clientCalls.map { call in (call, call.id ?? ConversationEntry.newCallID()) })
                    .map { call, id in
                        ConversationEntry(
                            conversationID: conversationID, kind: .functionCall, content: "", toolCallID: id, toolName: call.function.name,
                            toolArguments: call.function.arguments)
                    }, to: conversationID)
            let outcomes = await runner.run(serverCalls)
            _ = try await store.append(
                outcomes.map { outcome in
                    ConversationEntry(
                        conversationID: conversationID, kind: .functionResult, content: outcome.result, toolCallID: outcome.call.id,
                        toolName: outcome.call.function.name, error: outcome.failed ? outcome.result : nil)
                }, to: conversationID)
            if !clientCalls.isEmpty {
                // The caller runs these: the turn stops here and goes on with their results.
                return Answer(
                    response: response, promptTokens: promptTokens, completionTokens: completionTokens,
                    clientCalls: Array(storedCalls.suffix(clientCalls.count)))
            }
            messages.append(.assistant(AssistantMessage(content: nil, toolCalls: calls)))
            messages += outcomes.map { .tool(callID: $0.call.id ?? "", name: $0.call.function.name, content: $0.result) }
        }
    }

    /// One model call, streamed into `onDelta` when it is given.
    private func call(_ request: ChatCompletionRequest, tags: [String: String], onDelta: (@Sendable (String) -> Void)?) async throws
        -> ChatCompletionResponse
    {
        guard let onDelta else { return try await client.chat(request, tags: tags) }
        var iterator = try await client.chatStream(request, tags: tags).makeAsyncIterator()
        while let chunk = try await iterator.next() {
            if let piece = chunk.choices.first?.delta.content?.text, !piece.isEmpty { onDelta(piece) }
        }
        return iterator.accumulator.response
    }
}
