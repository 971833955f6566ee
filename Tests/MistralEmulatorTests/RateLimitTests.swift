import MistralEmulator
import MistralKit
import MistralTestSupport
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test func requestsPerSecondRefillOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let configuration = EmulatorConfiguration(rateLimits: .init(requestsPerSecond: 1), clock: clock)
        try await withEmulator(configuration: configuration) { baseURL, _ in
            let first = try await sendRaw("GET", baseURL + "/v1/models")
            #expect(first.status == 200)
            #expect(first.header("x-ratelimit-limit-req-minute") == "60")
            #expect(first.header("x-ratelimit-remaining-req-minute") == "59")

            let second = try await sendRaw("GET", baseURL + "/v1/models")
            #expect(second.status == 429)
            #expect(second.header("retry-after") == "1")
            #expect(
                second.json == [
                    "object": "error", "message": "Rate limit exceeded", "type": "rate_limited", "param": nil, "code": "1300",
                    "raw_status_code": 429,
                ])
            try await withClient(baseURL: baseURL) { client in
                let error = await Fixtures.mistralError { _ = try await client.listModels() }
                #expect(error?.kind == .rateLimited)
                #expect(error?.retryAfter == .seconds(1))
                #expect(error?.rateLimit?.requestsPerMinuteLimit == 60)

                clock.advance(by: .seconds(1))
                let models = try await client.listModels()
                #expect(!models.isEmpty)
            }
        }
    }

    @Test func tokensPerMinuteWindow() async throws {
        let clock = ManualClock()
        let configuration = EmulatorConfiguration(rateLimits: .init(tokensPerMinute: 20), clock: clock)
        try await withEmulator(configuration: configuration) { baseURL, _ in
            let body = #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"What is the capital of France?"}]}"#
            let first = try await sendRaw("POST", baseURL + "/v1/chat/completions", body: body)
            #expect(first.status == 200)
            #expect(first.header("x-ratelimit-tokens-query-cost") == "14")
            #expect(first.header("x-ratelimit-limit-tokens-minute") == "20")
            #expect(first.header("x-ratelimit-remaining-tokens-minute") == "6")

            clock.advance(by: .seconds(15))
            let second = try await sendRaw("POST", baseURL + "/v1/chat/completions", body: body)
            #expect(second.status == 429)
            #expect(second.header("retry-after") == "45")
            #expect(second.header("x-ratelimit-remaining-tokens-minute") == "6")

            clock.advance(by: .seconds(45))
            let third = try await sendRaw("POST", baseURL + "/v1/chat/completions", body: body)
            #expect(third.status == 200)
            #expect(third.header("x-ratelimit-remaining-tokens-minute") == "6")
        }
    }
}
