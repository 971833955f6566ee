import Foundation
import MistralEmulator
import MistralGateway
import MistralGatewayCore
import MistralKit
import MistralTestSupport
import Testing

/// What the gateway passes on: exactly what the upstream sent, JSON and streams, and one ledger
/// row per request with the upstream's usage.
struct RelayTests {
    static let chatBody = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Where is my order?"}],"max_tokens":40}"#
    static let streamBody = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Where is my order?"}],"max_tokens":40,"stream":true}"#

    @Test func aJSONAnswerIsTheUpstreamsBytesAndOneLedgerRow() async throws {
        try await withEmulator { emulatorURL, _ in
            try await RecordingProxy.withRunning(upstream: emulatorURL) { proxyURL, proxy in
                let row = try await withGateway(upstream: proxyURL) { world in
                    let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.chatBody, apiKey: world.secret())
                    #expect(response.status == 200)
                    let sent = try #require(proxy.exchanges.last)
                    #expect(response.body == sent.responseBody)
                    #expect(response.header("x-request-id")?.hasPrefix("gw-") == true)
                    return try #require(await rows(world, count: 1).first)
                }
                let usage = try #require(proxy.exchanges.last?.usage)
                #expect(row.promptTokens == usage["prompt_tokens"] as? Int)
                #expect(row.completionTokens == usage["completion_tokens"] as? Int)
                #expect(row.provider == "mistral")
                #expect(row.status == 200 && row.outcome == "ok" && !row.estimated)
                #expect(row.costUSD > 0)
                #expect(row.endpoint == "/v1/chat/completions")
            }
        }
    }

    @Test func aStreamPassesOnEveryChunkUnchangedAndEndsWithDone() async throws {
        try await withEmulator { emulatorURL, _ in
            try await RecordingProxy.withRunning(upstream: emulatorURL) { proxyURL, proxy in
                let row = try await withGateway(upstream: proxyURL) { world in
                    let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.streamBody, apiKey: world.secret())
                    #expect(response.status == 200)
                    #expect(response.header("content-type") == "text/event-stream")
                    #expect(response.header("x-accel-buffering") == "no")
                    let sent = try #require(proxy.exchanges.last)
                    #expect(eventData(response.body) == eventData(sent.responseBody))
                    #expect(eventData(response.body).last == "[DONE]")
                    return try #require(await rows(world, count: 1).first)
                }
                let usage = try #require(proxy.exchanges.last?.usage)
                #expect(row.completionTokens == usage["completion_tokens"] as? Int)
                #expect(row.timeToFirstTokenMilliseconds != nil)
                #expect(row.outcome == "ok")
            }
        }
    }

    @Test func anUpstreamCutMidStreamReachesTheClientAsAnErrorNeverAsDone() async throws {
        try await withEmulator { emulatorURL, emulator in
            emulator.scheduleFaults([.cutStream(afterChunks: 2)])
            let row = try await withGateway(upstream: emulatorURL) { world in
                let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: Self.streamBody, apiKey: world.secret())
                #expect(response.status == 200)
                let events = eventData(response.body)
                #expect(!events.contains("[DONE]"))
                #expect(response.text.contains("event: error"))
                #expect(events.last?.contains("gateway_stream_truncated") == true)
                // The typed client sees a cut stream, not a whole answer.
                try await withClient(baseURL: world.baseURL, apiKey: world.secret()) { client in
                    emulator.scheduleFaults([.cutStream(afterChunks: 2)])
                    await #expect(throws: MistralError.self) {
                        _ = try await client.chatStream(.init(model: "mistral-small-latest", messages: [.user("Where is my order?")])).collect()
                    }
                }
                return try #require(await rows(world, count: 2).first)
            }
            #expect(row.outcome == "stream truncated")
            #expect(row.completionTokens > 0)
            #expect(row.estimated)
        }
    }

    @Test func aClientThatDropsAStreamCancelsTheUpstreamAndIsBilledWhatItUsed() async throws {
        let question = "Tell me a long story about the sea."
        let configuration = EmulatorConfiguration(
            latency: EmulatorLatency(timeToFirstToken: .milliseconds(5), perToken: .milliseconds(40)),
            cannedAnswers: EmulatorConfiguration.defaultCannedAnswers.merging([question: Array(repeating: "wave", count: 300).joined(separator: " ")]) {
                $1
            })
        try await withEmulator(configuration: configuration) { emulatorURL, emulator in
            let row = try await withGateway(upstream: emulatorURL) { world in
                try await withClient(baseURL: world.baseURL, apiKey: world.secret()) { client in
                    let stream = try await client.chatStream(.init(model: "mistral-small-latest", messages: [.user(question)], maxTokens: 400))
                    var received = 0
                    for try await _ in stream {
                        received += 1
                        if received == 5 { break }
                    }
                }
                // Leaving the loop drops the connection: the upstream stream ends long before its 12 s.
                let ended = await eventually { emulator.requestLog.streamEnds.contains { $0.outcome == "client gone" } }
                #expect(ended)
                return try #require(await rows(world, count: 1).first)
            }
            let end = try #require(emulator.requestLog.streamEnds.first)
            #expect(end.chunksSent < 300)
            #expect(row.outcome == "cancelled")
            #expect(row.completionTokens > 0 && row.completionTokens < 300)
            #expect(row.costUSD > 0)
        }
    }

    @Test func theOpenAIDialectIsTranslatedAndNothingMistralRefusesIsForwarded() async throws {
        let body = #"""
            {"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":20,"seed":7,
             "stream_options":{"include_usage":true},"user":"customer-42","stream":true}
            """#
        try await withEmulator { emulatorURL, emulator in
            let row = try await withGateway(upstream: emulatorURL) { world in
                let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: body, apiKey: world.secret())
                #expect(response.status == 200)
                return try #require(await rows(world, count: 1).first)
            }
            let sent = try #require(emulator.requestLog.last?.json)
            #expect(sent["max_tokens"] == .int(20))
            #expect(sent["random_seed"] == .int(7))
            #expect(sent["max_completion_tokens"] == nil && sent["seed"] == nil && sent["stream_options"] == nil && sent["user"] == nil)
            #expect(row.tags["user"] == "customer-42")
        }
    }

    @Test func keysAreCheckedAndEveryRefusalSaysWhoMadeIt() async throws {
        try await withEmulator { emulatorURL, emulator in
            try await withGateway(upstream: emulatorURL, configure: { $0.keyRefreshInterval = .milliseconds(50) }) { world in
                let url = world.baseURL + "/v1/chat/completions"
                let missing = try await sendRaw("POST", url, body: Self.chatBody, apiKey: nil)
                #expect(missing.status == 401)
                #expect(missing.header("x-mistralkit-error-source") == "gateway")
                #expect(missing.json?["type"] == "gateway_unauthorized")
                let wrong = try await sendRaw("POST", url, body: Self.chatBody, apiKey: "mk-not-a-key")
                #expect(wrong.status == 401)

                var key = try #require(world.keys["app"])
                #expect(try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret()).status == 200)
                key.revokedAt = Date()
                key.updatedAt = Date()
                try await world.store.updateKey(key)
                // Picked up within one refresh interval (50 ms here); four intervals is ample.
                try await Task.sleep(for: .milliseconds(200))
                let refused = try await sendRaw("POST", url, body: Self.chatBody, apiKey: world.secret())
                #expect(refused.status == 401)
                #expect(refused.json?["message"]?.stringValue?.contains("revoked") == true)
                #expect(emulator.requestLog.count == 1)
            }
        }
    }

    @Test func anInvalidBodyGetsMistralsValidationErrorAndNothingIsSent() async throws {
        try await withEmulator { emulatorURL, emulator in
            try await withGateway(upstream: emulatorURL) { world in
                let body = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}],"temprature":0.2}"#
                let response = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: body, apiKey: world.secret())
                #expect(response.status == 422)
                #expect(response.header("x-mistralkit-error-source") == "gateway")
                let detail = try #require(response.json?["detail"]?[0])
                #expect(detail["type"] == "extra_forbidden")
                #expect(detail["loc"] == ["body", "temprature"])
                // The emulator validates as Mistral does: the same body straight to it gets the same answer.
                let direct = try await sendRaw("POST", emulatorURL + "/v1/chat/completions", body: body)
                #expect(direct.body == response.body)
                #expect(emulator.requestLog.requests(path: "/v1/chat/completions").count == 1)
            }
        }
    }

    @Test func aKeyLimitedToSomeModelsIsRefusedOthers() async throws {
        try await withEmulator { emulatorURL, _ in
            try await withGateway(upstream: emulatorURL, keys: ["app": KeyLimits(models: ["mistral-small-latest"])]) { world in
                let other = Self.chatBody.replacingOccurrences(of: "mistral-small-latest", with: "mistral-large-latest")
                let refused = try await sendRaw("POST", world.baseURL + "/v1/chat/completions", body: other, apiKey: world.secret())
                #expect(refused.status == 403)
                let models = try await sendRaw("GET", world.baseURL + "/v1/models", apiKey: world.secret())
                #expect(models.status == 200)
                let ids = models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                #expect(ids == ["mistral-small-2603"])  // the card whose alias is mistral-small-latest
            }
        }
    }
}

/// The ledger rows once `count` are written, oldest first.
func rows(_ world: GatewayWorld, count: Int) async throws -> [LedgerEntry] {
    _ = await eventually { ((try? await world.store.entries(LedgerQuery())) ?? []).count >= count }
    return try await world.store.entries(LedgerQuery())
}
