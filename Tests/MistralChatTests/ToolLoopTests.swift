import Foundation
import MistralChat
import MistralEmulator
import MistralKit
import MistralStore
import MistralTestSupport
import Synchronization
import Testing

/// The engine's tool-call loop against the emulator (which calls a tool its name is mentioned
/// in the user's message) and an SQLite store.
@Suite("Tool calls")
struct ToolLoopTests {
    static let orderParameters: JSONValue = [
        "type": "object", "properties": ["order_id": ["type": "string"]], "required": ["order_id"],
    ]

    func withEngine(
        _ backend: EngineTests.Backend = .sqlite, tools: [ChatTool], policy: ToolPolicy = ToolPolicy(),
        _ body: (ChatEngine, MistralEmulator, String) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { directory in
            let opened: ChatStoreFactory.Opened
            switch backend {
            case .sqlite: opened = try await ChatStoreFactory.open(directory.appendingPathComponent("chat.sqlite").path)
            case .postgres: opened = try await ChatStoreFactory.open(try #require(StoreTests.postgresURL))
            }
            do {
                try await withEmulatorClient { client, emulator in
                    let engine = ChatEngine(client: client, store: opened.store, tools: tools, toolPolicy: policy)
                    let agent = EngineTests.agentName("support")
                    _ = try await opened.store.saveAgent(Agent(name: agent, tools: tools.map(\.name)))
                    try await body(engine, emulator, agent)
                }
            } catch {
                await opened.close()
                throw error
            }
            await opened.close()
        }
    }

    /// A function the caller runs: the turn stops with the call stored and the answer waiting;
    /// results that do not answer the waiting call are refused with nothing stored; the right
    /// result completes the answer, with the call and result in the history the model saw.
    @Test(arguments: EngineTests.backends)
    func aFunctionTheCallerRunsMakesTheAnswerWaitForItsResult(_ backend: EngineTests.Backend) async throws {
        try await withEngine(backend, tools: []) { engine, emulator, agent in
            var persona = try #require(try await engine.store.agent(name: agent, version: nil))
            persona.functions = [.function(name: "order_status", description: "The status of an order.", parameters: Self.orderParameters)]
            _ = try await engine.store.saveAgent(persona)
            let waiting = try await engine.send("What is the order status of my order?", userID: "u", sessionID: "s", agentName: agent)
            #expect(waiting.output.status == .waiting)
            let call = try #require(waiting.functionCalls.first)
            #expect(call.kind == .functionCall && call.toolName == "order_status" && call.toolCallID != nil)
            let id = waiting.conversation.id
            let before = try await engine.store.entries(conversationID: id)
            for wrong in [[], [ChatEngine.FunctionResult(callID: "other", result: "x")]] {
                await #expect(throws: ChatEngineError.self) { try await engine.continueTurn(functionResults: wrong, conversationID: id) }
            }
            #expect(try await engine.store.entries(conversationID: id) == before)
            let answered = try await engine.continueTurn(
                functionResults: [ChatEngine.FunctionResult(callID: call.toolCallID!, result: "Order 4412 shipped on Monday.")], conversationID: id)
            #expect(answered.output.status == .complete && answered.output.content.contains("shipped on Monday"))
            #expect(try await engine.store.entries(conversationID: id).map(\.kind) == [.input, .output, .functionCall, .functionResult])
            // The second call carried the function call and its result, as the model needs them.
            let last = try #require(emulator.requestLog.requests(path: "/v1/chat/completions").last?.json)
            let roles = last["messages"]?.arrayValue?.compactMap { $0["role"]?.stringValue }
            #expect(roles?.suffix(3) == ["user", "assistant", "tool"], "\(roles ?? [])")
            await #expect(throws: ChatEngineError.self) {
                try await engine.continueTurn(functionResults: [ChatEngine.FunctionResult(callID: call.toolCallID!, result: "again")], conversationID: id)
            }
        }
    }

    /// A declared function the engine has a tool for runs on the server: the turn completes
    /// with its result, nothing waits on the caller.
    @Test func aDeclaredFunctionTheEngineHasRunsOnTheServer() async throws {
        let status = ChatTool(name: "order_status", description: "The status of an order.", parameters: Self.orderParameters, handler: .swift { _ in
            "Order 4412 shipped on Monday."
        })
        try await withEngine(tools: [status]) { engine, _, _ in
            var persona = Agent(name: EngineTests.agentName("declared"))
            persona.functions = [.function(name: "order_status", description: "The status of an order.", parameters: Self.orderParameters)]
            let saved = try await engine.store.saveAgent(persona)
            let turn = try await engine.send("What is the order status of my order?", userID: "u", sessionID: "s", agentName: saved.name)
            #expect(turn.output.status == .complete && turn.functionCalls.isEmpty)
            #expect(turn.output.content.contains("shipped on Monday"))
        }
    }

    @Test(arguments: EngineTests.backends)
    func theModelsToolCallsRunAndTheirResultsAreRecorded(_ backend: EngineTests.Backend) async throws {
        let status = ChatTool(name: "order_status", description: "The status of an order.", parameters: Self.orderParameters, handler: .swift { arguments in
            "Order \(arguments["order_id"]?.stringValue ?? "?") shipped on 2026-11-24."
        })
        try await withEngine(backend, tools: [status]) { engine, emulator, agent in
            let turn = try await engine.send("What is the order status of my order?", userID: "u", sessionID: "s", agentName: agent)
            #expect(turn.output.status == .complete)
            let entries = try await engine.store.entries(conversationID: turn.conversation.id)
            #expect(entries.map(\.kind) == [.input, .output, .functionCall, .functionResult])
            #expect(entries[2].toolName == "order_status")
            #expect(entries[3].content.hasPrefix("Order ") && entries[3].content.hasSuffix("shipped on 2026-11-24."))
            #expect(entries[3].toolCallID == entries[2].toolCallID)
            let second = try #require(emulator.requestLog.last?.json?["messages"])
            #expect(second[1]?["role"] == "assistant")
            #expect(second[1]?["tool_calls"]?[0]?["function"]?["name"] == "order_status")
            #expect(second[2]?["role"] == "tool")
            #expect(second[2]?["content"]?.stringValue == entries[3].content)
            // The next turn's history carries the calls and results before the answer.
            _ = try await engine.send("Thanks!", conversationID: turn.conversation.id)
            let third = try #require(emulator.requestLog.last?.json?["messages"])
            #expect(third[1]?["tool_calls"] != nil)
            #expect(third[2]?["role"] == "tool")
            #expect(third[3]?["role"] == "assistant")
            #expect(third[4]?["content"] == "Thanks!")
        }
    }

    @Test(arguments: EngineTests.backends)
    func failingAndSlowToolsBecomeErrorResultsNotCrashes(_ backend: EngineTests.Backend) async throws {
        struct Outage: Error, CustomStringConvertible { var description: String { "the orders database is down" } }
        let broken = ChatTool(name: "order_status", description: "", parameters: Self.orderParameters, handler: .swift { _ in throw Outage() })
        let slow = ChatTool(name: "refund_order", description: "", parameters: Self.orderParameters, handler: .swift { _ in
            try await Task.sleep(for: .seconds(30))
            return "refunded"
        })
        try await withEngine(backend, tools: [broken, slow], policy: ToolPolicy(timeoutPerCall: .milliseconds(200))) { engine, _, agent in
            let started = ContinuousClock.now
            let turn = try await engine.send("Check the order status and refund order please", userID: "u", sessionID: "s", agentName: agent)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(turn.output.status == .complete)
            let results = try await engine.store.entries(conversationID: turn.conversation.id).filter { $0.kind == .functionResult }
            #expect(results.count == 2)
            #expect(results.contains { $0.content == "Error: order_status failed: the orders database is down" && $0.error != nil })
            #expect(results.contains { $0.content.hasPrefix("Error: refund_order did not answer within") })
        }
    }

    @Test func theStepLimitMakesTheModelAnswer() async throws {
        let counter = ChatTool(name: "order_status", description: "", parameters: Self.orderParameters, handler: .swift { _ in "pending" })
        try await withEngine(tools: [counter], policy: ToolPolicy(maxSteps: 1)) { engine, emulator, agent in
            let turn = try await engine.send("order status?", userID: "u", sessionID: "s", agentName: agent)
            #expect(turn.output.status == .complete)
            #expect(emulator.requestLog.last?.json?["tool_choice"] == "none")
        }
    }

    @Test func anAgentListingAnUnknownToolIsRefusedBeforeAnythingIsStored() async throws {
        try await withEngine(tools: []) { engine, emulator, _ in
            _ = try await engine.store.saveAgent(Agent(name: "broken", tools: ["teleport"]))
            let conversation = try await engine.conversation(userID: "u", sessionID: "s", agentName: "broken")
            let error = await #expect(throws: ChatEngineError.self) { try await engine.send("Hi", conversationID: conversation.id) }
            #expect(error?.kind == .invalidAgent)
            #expect(try await engine.store.entries(conversationID: conversation.id).isEmpty)
            #expect(emulator.requestLog.count == 0)
        }
    }

    @Test func aWebhookToolIsCalledOverHTTP() async throws {
        // The emulator's embeddings endpoint stands in for a company webhook; its 401 for a failing one.
        let embedParameters: JSONValue = [
            "type": "object",
            "properties": [
                "model": ["type": "string", "enum": ["mistral-embed"]],
                "input": ["type": "array", "items": ["type": "string"], "minItems": 1],
            ],
            "required": ["model", "input"],
        ]
        try await withEmulator { url, _ in
            let hook = ChatTool(
                name: "embed_text", description: "", parameters: embedParameters,
                handler: .webhook(url: url + "/v1/embeddings", headers: ["Authorization": "Bearer k"]))
            let unauthorized = ChatTool(name: "refund_order", description: "", parameters: embedParameters, handler: .webhook(url: url + "/v1/embeddings"))
            try await withEngine(tools: [hook, unauthorized]) { engine, _, agent in
                let turn = try await engine.send("embed text, then refund order", userID: "u", sessionID: "s", agentName: agent)
                let results = try await engine.store.entries(conversationID: turn.conversation.id).filter { $0.kind == .functionResult }
                let embedded = try #require(results.first { $0.toolName == "embed_text" })
                #expect(embedded.content.contains("\"embedding\""), "\(embedded.content)")
                #expect(embedded.error == nil)
                let refused = try #require(results.first { $0.toolName == "refund_order" })
                #expect(refused.content.hasPrefix("Error: refund_order failed: the webhook answered HTTP 401"), "\(refused.content)")
            }
        }
    }

    @Test func aWebhookGoesThroughThePolicysTransportWithinItsTimeout() async throws {
        let transport = RecordingTransport(status: 200, body: "Order 4412 shipped.")
        let hook = ChatTool(
            name: "order_status", description: "", parameters: Self.orderParameters,
            handler: .webhook(url: "https://orders.example/status", headers: ["Authorization": "Bearer k"]))
        let policy = ToolPolicy(webhookTransport: transport, webhookTimeout: .seconds(5))
        try await withEngine(tools: [hook], policy: policy) { engine, _, agent in
            let started = ContinuousClock.now
            let turn = try await engine.send("What is the order status?", userID: "u", sessionID: "s", agentName: agent)
            let result = try #require(try await engine.store.entries(conversationID: turn.conversation.id).first { $0.kind == .functionResult })
            #expect(result.content == "Order 4412 shipped.")
            let (request, deadline) = try #require(transport.sent.first)
            #expect(transport.sent.count == 1)
            #expect(request.method == .POST)
            #expect(request.url == "https://orders.example/status")
            #expect(request.headers["Content-Type"] == ["application/json"])
            #expect(request.headers["Authorization"] == ["Bearer k"])
            let arguments = try JSONCoding.decode(JSONValue.self, from: request.body ?? [])
            #expect(arguments["order_id"]?.stringValue != nil)
            let limit = try #require(deadline)
            #expect(limit > started + .seconds(4) && limit <= ContinuousClock.now + .seconds(5))
        }
    }
}

/// A webhook transport that records what it is sent and answers every request with `status`
/// and `body`.
final class RecordingTransport: MistralTransport {
    let status: Int
    let body: String
    private let requests = Mutex<[(HTTPRequestDescription, ContinuousClock.Instant?)]>([])

    init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    /// The requests sent so far, with their deadlines.
    var sent: [(HTTPRequestDescription, ContinuousClock.Instant?)] { requests.withLock { $0 } }

    func send(_ request: HTTPRequestDescription, deadline: ContinuousClock.Instant?) async throws -> HTTPResponseStream {
        requests.withLock { $0.append((request, deadline)) }
        return HTTPResponseStream(status: status, headers: [:], body: ResponseBody(bytes: Array(body.utf8)))
    }

    func shutdown() async throws {}
}
