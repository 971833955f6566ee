import Foundation
import MistralEmulator
import MistralGateway
import MistralGatewayCore
import MistralKit
import MistralTestSupport
import Testing

/// What an operator sees: fallbacks recorded, health and readiness, metrics.
struct OperationsTests {
    static let chatBody = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Where is my order?"}],"max_tokens":40}"#

    @Test func aFallbackIsAnsweredRecordedAndAnnounced() async throws {
        try await withEmulator { emulatorURL, emulator in
            emulator.scheduleFaults([.status(503)])
            let row = try await withGateway(upstream: emulatorURL, configure: { $0.upstream.fallbacks = [.model("mistral-large-latest")] }) { world in
                let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: world.secret())
                #expect(response.status == 200)
                #expect(response.header("x-mistralkit-fallback") == "mistral/mistral-large-latest")
                return try #require(await rows(world, count: 1).first)
            }
            #expect(row.fallback == "mistral/mistral-large-latest")
            #expect(row.requestedModel == "mistral-small-latest")
            #expect(row.model.hasPrefix("mistral-large"))
            #expect(emulator.requestLog.requests(path: "/v1/chat/completions").count == 2)
        }
    }

    @Test func anUpstreamErrorIsPassedOnAndSaysItCameFromTheUpstream() async throws {
        try await withEmulator { emulatorURL, emulator in
            emulator.scheduleFaults([.status(503)])
            try await withGateway(upstream: emulatorURL) { world in
                let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: world.secret())
                #expect(response.status == 503)
                #expect(response.header("x-mistralkit-error-source") == "upstream")
                #expect(response.json?["object"] == "error")
                let row = try #require(await rows(world, count: 1).first)
                #expect(row.status == 503 && row.promptTokens == 0 && row.costUSD == 0)
            }
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await withEmulator { emulatorURL, _ in
            try await withGateway(upstream: emulatorURL) { world in
                #expect(try await sendRaw("GET", world.baseURL + "/health", apiKey: nil).status == 200)
                let ready = try await sendRaw("GET", world.baseURL + "/ready", apiKey: nil)
                #expect(ready.status == 200, "\(ready.text)")
                _ = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: world.secret())
                let metrics = try await sendRaw("GET", world.baseURL + "/metrics", apiKey: nil)
                #expect(metrics.status == 200)
                let prefix = try #require(world.keys["app"]?.prefix)
                #expect(metrics.text.contains("gateway_requests_total{"))
                #expect(metrics.text.contains("key=\"\(prefix)\""))
                #expect(metrics.text.contains("mistral_tokens_total"))
                #expect(metrics.text.contains("gateway_queue_depth"))
                // No secret ever appears in the metrics.
                #expect(!metrics.text.contains(world.secret()))
            }
        }
        // An upstream that does not answer makes the gateway not ready, and says why.
        try await withGateway(upstream: "http://127.0.0.1:9", configure: { $0.upstream.timeouts.connect = .milliseconds(500) }) { world in
            let ready = try await sendRaw("GET", world.baseURL + "/ready", apiKey: nil)
            #expect(ready.status == 503)
            #expect(ready.text.contains("upstream"))
        }
    }

    /// A database that refuses the ledger for long: rows gather up to the bound, then the
    /// gateway refuses requests (503, its own error) rather than serve what it cannot bill, and
    /// serves again once the rows are written.
    @Test func aLedgerThatCannotBeWrittenStopsServingAtItsBoundAndLosesNoRow() async throws {
        try await withEmulator { emulatorURL, _ in
            let store = InMemoryGatewayStore()
            try await withGateway(upstream: emulatorURL, store: store, configure: { $0.maxLedgerBacklog = 3 }) { world in
                let url = world.baseURL + "/v1/chat/completions"
                store.refusesLedgerWrites = true
                for _ in 0..<3 { #expect(try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret()).status == 200) }
                let refused = try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret())
                #expect(refused.status == 503)
                #expect(refused.json?["type"] == "gateway_storage_unavailable")
                #expect(refused.header("retry-after") == "1")
                #expect(try await sendRaw("GET", world.baseURL + "/ready", apiKey: nil).status == 503)
                store.refusesLedgerWrites = false
                // The three served and the one refused (a refusal is a ledger row too).
                #expect(await eventually { ((try? await store.entries(LedgerQuery())) ?? []).count == 4 })
                #expect(try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret()).status == 200)
                #expect(await eventually { ((try? await store.entries(LedgerQuery())) ?? []).count == 5 })
            }
        }
    }

    @Test func everyRequestWritesOneJSONAccessLogLineNamingTheKeyByItsPrefix() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("access.log").path
            FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try await withEmulator { emulatorURL, _ in
                try await withGateway(upstream: emulatorURL, configure: { $0.accessLog = AccessLog(handle: handle) }) { world in
                    _ = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: world.secret())
                    _ = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: "{}", apiKey: world.secret())
                    let text = try String(contentsOfFile: path, encoding: .utf8)
                    let lines = text.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }
                    #expect(lines.count == 2)
                    #expect(lines.map { $0["status"] } == [.int(200), .int(422)])
                    #expect(lines.allSatisfy { $0["key"]?.stringValue == world.keys["app"]?.prefix })
                    #expect(lines.first?["completion_tokens"] != .int(0))
                    #expect(!text.contains(world.secret()))
                }
            }
        }
    }
}
