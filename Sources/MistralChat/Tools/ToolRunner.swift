import Foundation
import MistralKit
import NIOHTTP1

/// Runs the tool calls of one step: each under a timeout, concurrently when allowed. A failing,
/// slow or unknown tool never fails the turn: its result is an error text the model can read.
struct ToolRunner: Sendable {
    let tools: [String: ChatTool]
    let policy: ToolPolicy

    /// One finished call.
    struct Outcome: Sendable {
        var call: ToolCall
        var result: String
        var failed: Bool
    }

    func run(_ calls: [ToolCall]) async -> [Outcome] {
        if !policy.parallel {
            var outcomes: [Outcome] = []
            for call in calls { outcomes.append(await run(call)) }
            return outcomes
        }
        return await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, call) in calls.enumerated() { group.addTask { (index, await run(call)) } }
            var outcomes: [(Int, Outcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func run(_ call: ToolCall) async -> Outcome {
        let name = call.function.name
        guard let tool = tools[name] else {
            return Outcome(call: call, result: "Error: there is no tool named \(name).", failed: true)
        }
        let arguments: JSONValue
        do {
            arguments = try JSONCoding.decode(JSONValue.self, from: Array(call.function.arguments.utf8))
        } catch {
            return Outcome(call: call, result: "Error: the arguments are not valid JSON: \(call.function.arguments)", failed: true)
        }
        do {
            let result = try await withTimeout(policy.timeoutPerCall) { try await invoke(tool.handler, arguments) }
            return Outcome(call: call, result: result, failed: false)
        } catch is ToolTimeout {
            return Outcome(call: call, result: "Error: \(name) did not answer within \(policy.timeoutPerCall).", failed: true)
        } catch {
            return Outcome(call: call, result: "Error: \(name) failed: \(error)", failed: true)
        }
    }

    private func invoke(_ handler: ChatTool.Handler, _ arguments: JSONValue) async throws -> String {
        switch handler {
        case .swift(let function):
            return try await function(arguments)
        case .webhook(let url, let headers):
            var fields = HTTPHeaders([("Content-Type", "application/json")])
            for (name, value) in headers { fields.add(name: name, value: value) }
            let request = HTTPRequestDescription(method: .POST, url: url, headers: fields, body: Array(try JSONCoding.encode(arguments)))
            let response = try await policy.webhookTransport.send(request, deadline: .now + policy.webhookTimeout)
            let text = String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
            guard (200..<300).contains(response.status) else {
                throw WebhookError(message: "the webhook answered HTTP \(response.status): \(text.prefix(200))")
            }
            return text
        }
    }

    struct WebhookError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    struct ToolTimeout: Error {}

    private func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw ToolTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
