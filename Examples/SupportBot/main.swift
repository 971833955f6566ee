import Foundation
import MistralChat
import MistralEmulator
import MistralKit
import MistralStore

// A customer-support bot: a formal persona, a small FAQ knowledge base, and an order-status tool
// backed by the company's orders table. It plays a scripted multi-turn session for one customer
// (or answers the questions given as arguments), against Mistral when MISTRAL_API_KEY is set and
// the local emulator otherwise.

let environment = ProcessInfo.processInfo.environment
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("support-bot-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

let questions = CommandLine.arguments.count > 1
    ? Array(CommandLine.arguments.dropFirst())
    : ["Hello, where is my order 4412? What is its order status?", "What are my delivery options for the next one?", "And if it does not fit, can I return it?"]

func run(baseURL: String?, apiKey: String?) async throws {
    var configuration = MistralClient.Configuration(apiKey: apiKey)
    if let baseURL { configuration.server = MistralServer(baseURL: baseURL) }
    let client = MistralClient(configuration: configuration)
    defer { Task { try? await client.shutdown() } }

    let store = try SQLiteChatStore(path: directory.appendingPathComponent("support.sqlite").path)
    let orders = try OrdersDatabase(path: directory.appendingPathComponent("orders.sqlite").path)
    let customer = "alice"

    // The schema lists the customer's own order numbers, so the model can only ask about those.
    let orderStatus = ChatTool(
        name: "order_status", description: "The status and expected delivery date of one of the customer's orders.",
        parameters: [
            "type": "object",
            "properties": ["order_id": ["type": "string", "description": "The order number", "enum": .array(try orders.orderIDs(customer: customer).map { .string($0) })]],
            "required": ["order_id"],
        ],
        handler: .swift { arguments in
            guard let id = arguments["order_id"]?.stringValue else { return "Error: order_id is missing." }
            return try orders.status(orderID: id, customer: customer)
        })
    let engine = ChatEngine(client: client, store: store, tools: [orderStatus], citationsPerAnswer: 2)

    try await engine.knowledge.create(KnowledgeBase(name: "acme-faq", chunkTokens: 120, overlapTokens: 20))
    for file in FAQ.files { _ = try await engine.knowledge.ingest(file: file, into: "acme-faq") }
    _ = try await store.saveAgent(
        Agent(
            name: "acme-support", model: environment["SUPPORT_BOT_MODEL"] ?? "mistral-small-latest",
            instructions: "You are Acme's customer-support assistant. Use the order_status tool for questions about an order, and the sources for policies.",
            tone: .formal, temperature: 0.2, maxTokens: 300, tools: ["order_status"], knowledgeBases: ["acme-faq"]))

    for question in questions {
        print("customer> \(question)")
        let turn = try await engine.send(question, userID: customer, sessionID: "web-1", agentName: "acme-support")
        let entries = try await store.entries(conversationID: turn.conversation.id)
        for call in entries where call.kind == .functionResult && call.position > turn.output.position {
            print("  (tool \(call.toolName ?? "?") → \(call.content))")
        }
        print("bot> \(turn.answer)")
        for (index, citation) in turn.citations.enumerated() { print("  [\(index + 1)] \(citation.title)") }
        print()
    }
}

if let key = environment["MISTRAL_API_KEY"], !key.isEmpty {
    try await run(baseURL: environment["MISTRAL_BASE_URL"], apiKey: key)
} else {
    FileHandle.standardError.write(Data("No MISTRAL_API_KEY: answering with the local emulator.\n".utf8))
    var emulatorConfiguration = EmulatorConfiguration()
    emulatorConfiguration.logger.logLevel = .warning
    try await MistralEmulator.withRunning(emulatorConfiguration) { baseURL, _ in
        try await run(baseURL: baseURL, apiKey: "emulator")
    }
}
