import ArgumentParser
import AsyncHTTPClient
import Foundation
import MistralKit
import NIOCore
import NIOHTTP1

/// `mistral-bench conversations --url URL --key KEY [--upstream URL]`: many concurrent
/// conversations through a server's Conversations API, closed loop: each conversation starts, then
/// appends `--turns - 1` more turns, one after the other, all conversations at once. Measures each
/// turn's latency (to the whole JSON answer) and turns per second; with `--upstream` (the emulator
/// the server calls), the same number of chat calls made straight to it at the same concurrency
/// first, so "added" is the server's own share per turn. Then reads every conversation's history
/// back and counts turns lost (an answer missing or not complete) or duplicated (more entries
/// than turns sent).
struct ConversationsLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations", abstract: "Concurrent conversations through a Conversations API (closed loop).")

    @Option(help: "The server's base URL (e.g. http://127.0.0.1:8080).")
    var url: String

    @Option(help: "The gateway key sent as Authorization: Bearer.")
    var key: String

    @Option(help: "The emulator the server calls, to measure the same calls made directly (with its key, any).")
    var upstream: String?

    @Option(help: "Conversations in flight at once.")
    var conversations = 1000

    @Option(help: "Turns per conversation (the start, then appends).")
    var turns = 3

    @Option(name: .customLong("think-ms"), help: "Milliseconds a user takes between an answer and the next message (0: none, a stress test).")
    var thinkMilliseconds = 0

    @Option(help: "The model of the conversations.")
    var model = "mistral-small-latest"

    @Option(help: "A name for the run in the output (e.g. sqlite, postgres).")
    var label = "server"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard conversations > 0, turns > 0 else { throw ValidationError("--conversations and --turns must be positive.") }
    }

    static let question = "What is the capital of France?"

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: conversations + 16)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func measure(_ http: HTTPClient) async throws {
        var direct: [Int64] = []
        if let upstream {
            let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(Self.question)"}]}"#
            direct = try await Self.closedLoop(conversations, turns: turns, think: thinkMilliseconds) { _, _ in
                try await Self.post(http, upstream + "/v1/chat/completions", body: body, key: "emulator")
            }.latencies
        }
        let started = ContinuousClock.now
        let ids = IDs(count: conversations)
        let run = try await Self.closedLoop(conversations, turns: turns, think: thinkMilliseconds) { conversation, turn in
            if turn == 0 {
                let answer = try await Self.post(
                    http, url + "/v1/conversations", body: #"{"model":"\#(model)","inputs":"\#(Self.question)"}"#, key: key)
                guard let id = try JSONParser.parse(answer)["conversation_id"]?.stringValue else { throw LoadError("no conversation_id") }
                ids.set(conversation, id)
                return answer
            }
            guard let id = ids.get(conversation) else { throw LoadError("the conversation did not start") }
            return try await Self.post(http, url + "/v1/conversations/\(id)", body: #"{"inputs":"\#(Self.question)"}"#, key: key)
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        // Every conversation read back: each turn sent is one input and one complete answer, once.
        var lost = 0
        var duplicated = 0
        for index in 0..<conversations {
            guard let id = ids.get(index) else { continue }
            let history = try JSONParser.parse(try await Self.get(http, url + "/v1/conversations/\(id)/history", key: key))
            let entries = history["entries"]?.arrayValue ?? []
            let sent = run.succeeded[index]
            let answers = entries.filter { $0["type"] == "message.output" && $0["status"] == nil }.count
            lost += max(0, sent - answers)
            duplicated += max(0, entries.count - 2 * sent)
        }
        let turnsDone = run.succeeded.reduce(0, +)
        let summary = Summary(
            label: label, conversations: conversations, turnsPerConversation: turns, thinkMilliseconds: thinkMilliseconds, turns: turnsDone, errors: run.errors,
            firstError: run.firstError, turnsPerSecond: Double(turnsDone) / seconds, turn: Percentiles(nanoseconds: run.latencies),
            direct: Percentiles(nanoseconds: direct), lost: lost, duplicated: duplicated)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
    }

    /// Runs `count` loops at once, each making `turns` calls one after the other, `think` ms apart.
    static func closedLoop(
        _ count: Int, turns: Int, think: Int, _ call: @escaping @Sendable (Int, Int) async throws -> [UInt8]
    ) async throws -> (latencies: [Int64], succeeded: [Int], errors: Int, firstError: String?) {
        try await withThrowingTaskGroup(of: (Int, [Int64], String?).self) { group in
            for index in 0..<count {
                group.addTask {
                    var latencies: [Int64] = []
                    // Users arrive spread over one think time, then think between turns.
                    if think > 0 { try? await Task.sleep(for: .milliseconds(Int.random(in: 0..<think))) }
                    for turn in 0..<turns {
                        if turn > 0, think > 0 { try? await Task.sleep(for: .milliseconds(think)) }
                        let start = ContinuousClock.now
                        do {
                            _ = try await call(index, turn)
                        } catch {
                            return (index, latencies, "\(error)")
                        }
                        latencies.append(Int64(Self.seconds(ContinuousClock.now - start) * 1e9))
                    }
                    return (index, latencies, nil)
                }
            }
            var latencies: [Int64] = []
            var succeeded = Array(repeating: 0, count: count)
            var errors = 0
            var firstError: String?
            for try await (index, done, error) in group {
                latencies += done
                succeeded[index] = done.count
                if let error {
                    errors += 1
                    firstError = firstError ?? error
                }
            }
            return (latencies, succeeded, errors, firstError)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func post(_ http: HTTPClient, _ url: String, body: String, key: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(http, request)
    }

    static func get(_ http: HTTPClient, _ url: String, key: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        return try await send(http, request)
    }

    private static func send(_ http: HTTPClient, _ request: HTTPClientRequest) async throws -> [UInt8] {
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = Array((try await response.body.collect(upTo: 16 << 20)).readableBytesView)
        guard response.status == .ok else { throw LoadError("HTTP \(response.status.code): \(String(decoding: body.prefix(300), as: UTF8.self))") }
        return body
    }

    struct LoadError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The conversation id of each loop, set by its first turn.
    final class IDs: @unchecked Sendable {
        private var ids: [String?]
        private let lock = NSLock()
        init(count: Int) { ids = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ id: String) { lock.withLock { ids[index] = id } }
        func get(_ index: Int) -> String? { lock.withLock { ids[index] } }
    }

    struct Summary: Codable {
        var label: String
        var conversations: Int
        var turnsPerConversation: Int
        var thinkMilliseconds: Int
        var turns: Int
        var errors: Int
        var firstError: String?
        var turnsPerSecond: Double
        var turn: Percentiles?
        var direct: Percentiles?
        var lost: Int
        var duplicated: Int

        var text: String {
            func ms(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
            var lines = [
                "\(label): \(conversations) conversations x \(turnsPerConversation) turns, \(thinkMilliseconds) ms think: \(turns) turns, \(errors) errors, "
                    + String(format: "%.0f", turnsPerSecond) + " turns/s",
                "  turn p50 \(ms(turn?.p50)) ms, p99 \(ms(turn?.p99)) ms; direct p50 \(ms(direct?.p50)) ms, p99 \(ms(direct?.p99)) ms",
                "  added p50 \(ms(turn.flatMap { t in direct.map { t.p50 - $0.p50 } })) ms, p99 \(ms(turn.flatMap { t in direct.map { t.p99 - $0.p99 } })) ms",
                "  lost \(lost), duplicated \(duplicated)",
            ]
            if let firstError { lines.append("  first error: \(firstError)") }
            return lines.joined(separator: "\n")
        }
    }
}
