import MistralTestSupport
import Synchronization
import Testing

@testable import MistralKit

@Suite("Circuit breakers")
struct CircuitBreakerTests {
    @Test func opensAfterRepeatedFailuresFailsFastAndRecoversThroughAProbe() async throws {
        let clock = ManualClock()
        let breakers = CircuitBreakers(policy: .init(failureThreshold: 3, openDuration: .seconds(30)), clock: clock)
        let healthy = Shared(false)
        let transport = ScriptedTransport { _, _ in healthy.value ? Canned.json() : Canned.error(500) }
        let client = scriptedClient(transport) {
            $0.retry = .disabled
            $0.circuitBreakers = breakers
        }
        for _ in 0..<3 { await #expect(throws: MistralError.self) { try await client.chat(hello) } }
        #expect(transport.count == 3)
        let upstream = client.configuration.server.baseURL
        #expect(breakers.state(upstream: upstream, model: "mistral-small-latest") == .open(retryIn: .seconds(30)))

        let fast = await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(fast?.kind == .circuitOpen)
        #expect(fast?.retryAfter == .seconds(30))
        #expect(transport.count == 3)  // nothing sent
        // Other models on the same upstream are not affected.
        healthy.withLock { $0 = true }
        _ = try await client.chat(ChatCompletionRequest(model: "mistral-large-latest", messages: [.user("Hi")]))

        // After the open spell a failing probe re-opens the circuit...
        healthy.withLock { $0 = false }
        clock.advance(by: .seconds(30))
        #expect(breakers.state(upstream: upstream, model: "mistral-small-latest") == .halfOpen)
        await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(breakers.state(upstream: upstream, model: "mistral-small-latest") == .open(retryIn: .seconds(30)))
        // ...and a successful one closes it.
        healthy.withLock { $0 = true }
        clock.advance(by: .seconds(30))
        _ = try await client.chat(hello)
        #expect(breakers.state(upstream: upstream, model: "mistral-small-latest") == .closed(consecutiveFailures: 0))
    }

    @Test func clientErrorsAndRateLimitsDoNotOpenTheCircuit() async throws {
        let breakers = CircuitBreakers(policy: .init(failureThreshold: 2), clock: ManualClock())
        let transport = ScriptedTransport { _, index in
            index % 2 == 0 ? Canned.error(429) : Canned.json(400, #"{"object":"error","message":"bad","type":"invalid_request_error","param":null,"code":"3000"}"#)
        }
        let client = scriptedClient(transport) {
            $0.retry = .disabled
            $0.circuitBreakers = breakers
        }
        for _ in 0..<6 { await #expect(throws: MistralError.self) { try await client.chat(hello) } }
        #expect(transport.count == 6)
        #expect(breakers.state(upstream: client.configuration.server.baseURL, model: "mistral-small-latest") == .closed(consecutiveFailures: 0))
    }

    @Test func onlyOneProbeGoesThroughWhileHalfOpen() throws {
        let clock = ManualClock()
        let breakers = CircuitBreakers(policy: .init(failureThreshold: 1, openDuration: .seconds(5)), clock: clock)
        try breakers.admit(upstream: "u", model: "m")
        breakers.record(upstream: "u", model: "m", outcome: .failure)
        clock.advance(by: .seconds(5))
        try breakers.admit(upstream: "u", model: "m")  // the probe
        #expect(throws: MistralError.self) { try breakers.admit(upstream: "u", model: "m") }
        breakers.record(upstream: "u", model: "m", outcome: .neutral)  // e.g. the probe was cancelled
        try breakers.admit(upstream: "u", model: "m")  // another probe may go
    }
}
