import Foundation
import MistralEmulator
import MistralGatewayCore
import MistralKit
import MistralStore
import MistralTestSupport
import Synchronization
import Testing

/// `mistral serve` as a real process: keys from `mistral keys create`, requests through it, and
/// SIGTERM under load, which must drain every request and write every ledger row.
struct ServeCommandTests {
    /// A running `mistral serve` and its base URL.
    final class Server: Sendable {
        let process: Process
        let baseURL: String
        init(process: Process, baseURL: String) {
            self.process = process
            self.baseURL = baseURL
        }
    }

    /// Starts `mistral serve --port 0` with `arguments` and waits for its listening line.
    static func serve(_ arguments: [String]) async throws -> Server {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProcessRunner.builtProduct("mistral"))
        process.arguments = ["serve", "--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let (lines, continuation) = AsyncStream<String>.makeStream()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                continuation.finish()
                handle.readabilityHandler = nil
            } else {
                continuation.yield(String(decoding: data, as: UTF8.self))
            }
        }
        var text = ""
        for await chunk in lines {
            text += chunk
            if let match = text.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:\d+)/) {
                return Server(process: process, baseURL: String(match.1))
            }
        }
        throw ProcessRunnerError(message: "mistral serve never said where it listens: \(text)")
    }

    @Test func aMalformedModelLimitIsRefusedBeforeServing() async throws {
        for bad in ["mistral-large-latest", "m=0", "m=:", "m=1:2:3", "m=fast"] {
            let result = try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), ["serve", "--model-limit", bad])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--model-limit"), "\(result.stderr)")
        }
    }

    #if !OTLP
    /// A build without the OTLP trait asked to export traces says so and how to get it, rather
    /// than serve without the traces the operator asked for.
    @Test func askingForOTLPWithoutTheTraitIsRefusedWithTheWayToBuildIt() async throws {
        let mistral = try ProcessRunner.builtProduct("mistral")
        let flag = try await ProcessRunner.run(mistral, ["serve", "--otlp-endpoint", "http://127.0.0.1:4318/v1/traces", "--base-url", "http://127.0.0.1:9"])
        #expect(flag.status != 0)
        #expect(flag.stderr.contains("--traits OTLP"), "\(flag.stderr)")
        let environment = try await ProcessRunner.run(
            mistral, ["serve", "--base-url", "http://127.0.0.1:9"], environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"])
        #expect(environment.status != 0)
        #expect(environment.stderr.contains("--traits OTLP"), "\(environment.stderr)")
    }
    #endif

    /// `mistral chat --gateway` is a client of a running server: a user's session goes on across
    /// invocations in one conversation kept by the server, streamed or not, and another session
    /// gets its own.
    @Test func chatTalksToARunningServerAsAClientOfItsConversationsAPI() async throws {
        try await withTemporaryDirectory { directory in
            let mistral = try ProcessRunner.builtProduct("mistral")
            let database = "sqlite:" + directory.appendingPathComponent("service.sqlite").path
            let created = try await ProcessRunner.run(mistral, ["keys", "create", "--name", "cli", "--database", database])
            let secret = try #require(created.stdout.split(separator: "\n").last.map(String.init))
            try await withEmulator { emulatorURL, _ in
                let server = try await Self.serve(["--base-url", emulatorURL, "--api-key", testAPIKey, "--database", database])
                defer { server.process.terminate() }
                func chat(_ session: String, _ extra: [String] = []) async throws -> ProcessResult {
                    try await ProcessRunner.run(
                        mistral,
                        ["chat", "--gateway", server.baseURL, "--api-key", secret, "--user", "u1", "--session", session]
                            + extra + ["What is the capital of France?"])
                }
                for extra in [[], ["--no-stream"]] {
                    let result = try await chat("s1", extra)
                    #expect(result.status == 0, "\(result.stderr)")
                    #expect(result.stdout == "The capital of France is Paris.\n", "\(result.stdout)")
                }
                #expect(try await chat("s2").status == 0)
                let listed = try await sendRaw("GET", server.baseURL + "/v1/conversations", apiKey: secret)
                let conversations = try #require(listed.json?.arrayValue)
                #expect(conversations.count == 2)
                let s1 = try #require(conversations.first { $0["metadata"]?["mistral_session"] == "s1" }?["id"]?.stringValue)
                let history = try await sendRaw("GET", server.baseURL + "/v1/conversations/\(s1)/history", apiKey: secret)
                #expect(history.json?["entries"]?.arrayValue?.count == 4)
                let refused = try await ProcessRunner.run(
                    mistral, ["chat", "--gateway", server.baseURL, "--api-key", "wrong", "--user", "u1", "--session", "s1", "Hi"])
                #expect(refused.status != 0 && refused.stderr.contains("401"), "\(refused.stderr)")
            }
        }
    }

    /// Secrets stay secret: after a run with verbose logs, an access log, streams, errors, a
    /// conversation and an end-user token, neither the gateway key nor the upstream key appears
    /// in the database file, the logs, or anything the server printed.
    @Test func noSecretAppearsInTheDatabaseLogsOrOutput() async throws {
        try await withTemporaryDirectory { directory in
            let mistral = try ProcessRunner.builtProduct("mistral")
            let databasePath = directory.appendingPathComponent("secrets.sqlite").path
            let upstreamKey = "upstream-secret-\(UUID().uuidString)"
            let created = try await ProcessRunner.run(mistral, ["keys", "create", "--name", "s", "--database", databasePath])
            let secret = try #require(created.stdout.split(separator: "\n").last.map(String.init))
            var emulator = EmulatorConfiguration()
            emulator.acceptedAPIKeys = [upstreamKey]
            try await withEmulator(configuration: emulator) { emulatorURL, _ in
                let outputPath = directory.appendingPathComponent("serve.out").path
                let accessPath = directory.appendingPathComponent("access.log").path
                FileManager.default.createFile(atPath: outputPath, contents: nil)
                let handle = try #require(FileHandle(forWritingAtPath: outputPath))
                let process = Process()
                process.executableURL = URL(fileURLWithPath: mistral)
                process.arguments = [
                    "serve", "--port", "0", "--base-url", emulatorURL, "--api-key", upstreamKey, "--database", databasePath,
                    "--access-log", accessPath, "--verbose",
                ]
                process.standardOutput = handle
                process.standardError = handle
                try process.run()
                var base: String?
                for _ in 0..<200 where base == nil {
                    try await Task.sleep(for: .milliseconds(50))
                    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
                    base = text.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:\d+)/).map { String($0.1) }
                }
                let url = try #require(base)
                let chat = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}]}"#
                #expect(try await sendRaw("POST", url + "/v1/chat/completions", body: chat, apiKey: secret).status == 200)
                _ = try await sendRaw("POST", url + "/v1/chat/completions", body: chat.replacingOccurrences(of: "}]}", with: "}],\"stream\":true}"), apiKey: secret)
                _ = try await sendRaw("POST", url + "/v1/chat/completions", body: chat, apiKey: secret + "x")
                _ = try await sendRaw("POST", url + "/v1/chat/completions", body: "{", apiKey: secret)
                _ = try await sendRaw("POST", url + "/v1/conversations", body: #"{"model":"mistral-small-latest","inputs":"Hi"}"#, apiKey: secret)
                _ = try await sendRaw("POST", url + "/v1/end_user_tokens", body: #"{"user":"u1"}"#, apiKey: secret)
                process.terminate()
                process.waitUntilExit()
                try handle.close()
                var written: [String: [UInt8]] = [:]
                for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                    written[name] = Array(FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) ?? Data())
                }
                #expect(written.keys.contains("access.log") && written.keys.contains("secrets.sqlite"))
                for (name, bytes) in written {
                    for needle in [secret, upstreamKey] {
                        #expect(ByteSearch.find(Array(needle.utf8), in: bytes) == nil, "\(name) contains a secret")
                    }
                }
            }
        }
    }

    @Test func sigtermUnderLoadDrainsEveryRequestAndWritesEveryLedgerRow() async throws {
        let configuration = EmulatorConfiguration(latency: EmulatorLatency(timeToFirstToken: .milliseconds(300), perToken: .milliseconds(20)))
        try await withTemporaryDirectory { directory in
            let database = "sqlite:" + directory.appendingPathComponent("gateway.sqlite").path
            let created = try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), ["keys", "create", "--name", "load", "--database", database])
            #expect(created.status == 0, "\(created.stderr)")
            let secret = try #require(created.stdout.split(separator: "\n").last.map(String.init))
            try await withEmulator(configuration: configuration) { emulatorURL, emulator in
                let server = try await Self.serve(["--base-url", emulatorURL, "--api-key", testAPIKey, "--database", database])
                let url = server.baseURL + "/v1/chat/completions"
                let json = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Where is my order?"}],"max_tokens":30}"#
                let stream = json.replacingOccurrences(of: "\"max_tokens\":30", with: "\"max_tokens\":30,\"stream\":true")
                let requests = (0..<30).map { index in
                    Task { try await sendRaw("POST", url, body: index.isMultiple(of: 2) ? stream : json, apiKey: secret) }
                }
                // All thirty are in flight (the upstream has them and answers after 300 ms), then SIGTERM.
                #expect(await eventually(timeout: .seconds(10)) { emulator.requestLog.count == 30 })
                server.process.terminate()
                var answered = 0
                for request in requests {
                    let response = try await request.value
                    #expect(response.status == 200)
                    if response.status == 200, !response.text.contains("event: error") { answered += 1 }
                }
                server.process.waitUntilExit()
                #expect(server.process.terminationStatus == 0)
                #expect(answered == 30)
                let store = try SQLiteGatewayStore(path: String(database.dropFirst("sqlite:".count)))
                let rows = try await store.entries(LedgerQuery())
                #expect(rows.count == 30)
                #expect(rows.allSatisfy { $0.status == 200 && $0.outcome == "ok" && $0.completionTokens > 0 })
            }
        }
    }
}

/// A byte search (a secret inside a database file or a log).
enum ByteSearch {
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
