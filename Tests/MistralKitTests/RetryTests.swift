import Foundation
import MistralEmulator
import MistralTestSupport
import Synchronization
import Testing

@testable import MistralKit

@Suite("Retries")
struct RetryTests {
    /// A client with no jitter on an immediate clock: waits are exact and cost nothing.
    func client(_ transport: ScriptedTransport, clock: ImmediateClock, _ tweak: (inout MistralClient.Configuration) -> Void = { _ in }) -> MistralClient {
        scriptedClient(transport) { configuration in
            configuration.clock = clock
            configuration.jitter = .fixed(0)
            configuration.circuitBreakers = nil
            tweak(&configuration)
        }
    }

    @Test func backoffGrowsExponentiallyWithBoundedJitter() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(500), multiplier: 2, maxBackoff: .seconds(3), jitter: 0.5)
        #expect(policy.backoff(beforeRetry: 0, jitterSample: 0) == .milliseconds(500))
        #expect(policy.backoff(beforeRetry: 1, jitterSample: 0) == .seconds(1))
        #expect(policy.backoff(beforeRetry: 2, jitterSample: 0) == .seconds(2))
        #expect(policy.backoff(beforeRetry: 3, jitterSample: 0) == .seconds(3))  // capped
        #expect(policy.backoff(beforeRetry: 1, jitterSample: 1) == .milliseconds(500))  // half off at most
    }

    @Test func serverErrorsAreRetriedWithExactBackoffWaits() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, index in index < 2 ? Canned.error(503) : Canned.json() }
        let client = client(transport, clock: clock)
        let response = try await client.chat(hello)
        #expect(response.text == "Hello!")
        #expect(transport.count == 3)
        #expect(clock.sleeps == [.milliseconds(500), .seconds(1)])
    }

    @Test func retryAfterSecondsAndMillisecondsAreObeyed() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, index in
            switch index {
            case 0: Canned.error(429, headers: [("Retry-After", "3")])
            case 1: Canned.error(503, headers: [("retry-after-ms", "1500")])
            default: Canned.json()
            }
        }
        let client = client(transport, clock: clock) { $0.retry.maxAttempts = 3 }
        _ = try await client.chat(hello)
        #expect(clock.sleeps == [.seconds(3), .milliseconds(1500)])
    }

    @Test func retryAfterAsAnHTTPDateIsObeyed() async throws {
        let clock = ImmediateClock()
        let httpDate = Self.httpDate(Date().addingTimeInterval(5))
        let transport = ScriptedTransport { _, index in index == 0 ? Canned.error(429, headers: [("Retry-After", httpDate)]) : Canned.json() }
        _ = try await client(transport, clock: clock).chat(hello)
        let wait = try #require(clock.sleeps.first)
        #expect(wait > .seconds(3) && wait <= .seconds(5))
    }

    @Test func aServerAskingForMoreThanTheCapFailsAtOnce() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, _ in Canned.error(429, headers: [("Retry-After", "120")]) }
        let error = await #expect(throws: MistralError.self) { try await client(transport, clock: clock).chat(hello) }
        #expect(error?.kind == .rateLimited)
        #expect(error?.message.contains("longer than the retry cap of 30 s") == true)
        #expect(transport.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func clientErrorsAreNeverRetried(status: Int) async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, _ in
            Canned.json(status, #"{"object":"error","message":"no","type":"invalid_request_error","param":null,"code":"3000"}"#)
        }
        await #expect(throws: MistralError.self) { try await client(transport, clock: clock).chat(hello) }
        #expect(transport.count == 1)
    }

    @Test func aSpentQuotaIsNotRetried() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, _ in
            Canned.json(429, #"{"object":"error","message":"Monthly limit exceeded","type":"quota_exceeded","param":null,"code":"1310"}"#)
        }
        let error = await #expect(throws: MistralError.self) { try await client(transport, clock: clock).chat(hello) }
        #expect(error?.kind == .quotaExhausted)
        #expect(transport.count == 1)
    }

    @Test func connectionFailuresBeforeAnyByteAreRetried() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, index in
            if index == 0 { throw MistralError(kind: .connection, message: "Connection refused") }
            return Canned.json()
        }
        _ = try await client(transport, clock: clock).chat(hello)
        #expect(transport.count == 2)
    }

    @Test func attemptsRunOutWithAClearMessage() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, _ in Canned.error(502) }
        let error = await #expect(throws: MistralError.self) { try await client(transport, clock: clock).chat(hello) }
        #expect(error?.status == 502)
        #expect(error?.message.contains("gave up after 3 attempts") == true)
        #expect(transport.count == 3)
    }

    @Test func totalWaitIsCapped() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, _ in Canned.error(503) }
        let client = client(transport, clock: clock) {
            $0.retry = RetryPolicy(maxAttempts: 10, initialBackoff: .seconds(1), maxTotalWait: .seconds(5), jitter: 0)
        }
        let error = await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])  // a further 4 s would pass 5 s in all
        #expect(error?.message.contains("total retry wait") == true)
    }

    @Test func disabledMeansOneAttempt() async throws {
        let transport = ScriptedTransport { _, _ in Canned.error(503) }
        let client = client(transport, clock: ImmediateClock()) { $0.retry = .disabled }
        await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(transport.count == 1)
    }

    @Test func aStreamIsRetriedBeforeItsHeadButNeverAfterContent() async throws {
        let clock = ImmediateClock()
        let transport = ScriptedTransport { _, index in
            index == 0
                ? Canned.error(503)
                : Canned.stream(
                    [Canned.chunk("The capital"), Canned.chunk(" of France")],
                    failure: MistralError(kind: .connection, message: "Connection reset by peer"))
        }
        let stream = try await client(transport, clock: clock).chatStream(hello)
        var received = ""
        let error = await #expect(throws: MistralError.self) {
            for try await chunk in stream { received += chunk.choices.first?.delta.content?.text ?? "" }
        }
        #expect(received == "The capital of France")
        #expect(error?.kind == .truncatedStream)
        #expect(error?.partial?.text == "The capital of France")
        #expect(transport.count == 2)  // the 503 before the head was retried; the cut was not
    }

    @Test func theRetryBudgetHoldsUnder100ConcurrentCalls() async throws {
        let budget = RetryBudget(capacity: 10, depositPerSuccess: 0.1)
        let transport = ScriptedTransport { _, _ in
            try await Task.sleep(for: .milliseconds(5))
            return Canned.error(503)
        }
        let client = client(transport, clock: ImmediateClock()) {
            $0.retryBudget = budget
            $0.retry.maxAttempts = 5
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 { group.addTask { _ = try? await client.chat(hello) } }
        }
        #expect(transport.count == 110)  // 100 first attempts, 10 retries: the budget's capacity
        #expect(budget.available < 1)
        let error = await #expect(throws: MistralError.self) { try await client.chat(hello) }
        #expect(error?.message.contains("retry budget is spent") == true)
    }

    @Test func successesRefillTheRetryBudget() async throws {
        let budget = RetryBudget(capacity: 2, depositPerSuccess: 0.5)
        let transport = ScriptedTransport { _, _ in Canned.json() }
        let client = client(transport, clock: ImmediateClock()) { $0.retryBudget = budget }
        #expect(budget.withdraw() && budget.withdraw())
        #expect(!budget.withdraw())
        _ = try await client.chat(hello)
        _ = try await client.chat(hello)
        #expect(budget.available == 1)
    }

    @Test func theEmulatorsScheduledFaultsAreRetriedOverRealHTTP() async throws {
        let configuration = EmulatorConfiguration(faultSchedule: [.status(503), .resetBeforeHeaders])
        try await withEmulatorClient(configuration: configuration, configure: { $0.retry = RetryPolicy(initialBackoff: .milliseconds(10)) }) { client, emulator in
            let answer = try await client.chat(ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("What is the capital of France?")]))
            #expect(answer.text == "The capital of France is Paris.")
            #expect(emulator.requestLog.count == 3)
        }
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
