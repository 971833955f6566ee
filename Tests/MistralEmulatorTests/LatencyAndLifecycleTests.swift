import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Latency and lifecycle")
struct LatencyAndLifecycleTests {
    private let latency = EmulatorLatency(timeToFirstToken: .milliseconds(150), perToken: .milliseconds(20))

    @Test func jsonAnswerWaitsForEveryToken() async throws {
        try await withEmulatorClient(configuration: .init(latency: latency)) { client, _ in
            let started = ContinuousClock.now
            let response = try await client.chat(Fixtures.chat(Fixtures.capitalQuestion))
            let elapsed = ContinuousClock.now - started
            #expect(response.usage?.completionTokens == 7)
            #expect(elapsed >= .milliseconds(150 + 7 * 20))
        }
    }

    @Test func streamPacesItsChunks() async throws {
        try await withEmulatorClient(configuration: .init(latency: latency)) { client, _ in
            let started = ContinuousClock.now
            var arrivals: [Duration] = []
            for try await _ in try await client.chatStream(Fixtures.chat(Fixtures.capitalQuestion)) {
                arrivals.append(ContinuousClock.now - started)
            }
            #expect(arrivals.count == 8)
            // Lower bounds from the request's start only (a busy machine can deliver a chunk late,
            // never early): the first chunk after the time to first token, each next one a token later.
            for (position, arrival) in arrivals.enumerated() {
                #expect(arrival >= .milliseconds(150 + 20 * position), "chunk \(position) arrived at \(arrival)")
            }
        }
    }

    @Test func runServesUntilCancelled() async throws {
        let emulator = MistralEmulator()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = Task { try await emulator.run(host: "127.0.0.1", port: 0) { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await withClient(baseURL: "http://127.0.0.1:\(port)") { client in
            let answer = try await client.chat(Fixtures.chat(Fixtures.capitalQuestion))
            #expect(answer.text == Fixtures.capitalAnswer)
        }
        #expect(emulator.requestLog.count == 1)
        server.cancel()
        _ = await server.result
        // AsyncHTTPClient retries refused connections until the connect timeout, so keep it short.
        let refused = try await withClient(baseURL: "http://127.0.0.1:\(port)", timeouts: .init(connect: .milliseconds(300))) { client in
            await Fixtures.mistralError { _ = try await client.listModels() }
        }
        #expect(refused?.kind == .connection || refused?.kind == .timeout)
    }
}
