import Foundation
import MistralTestSupport
import Synchronization
import Testing

@testable import MistralKit

@Suite("Client rate limiter")
struct RateLimiterTests {
    @Test func requestsArePacedAtTheRate() async throws {
        let clock = ImmediateClock()
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 4), headroom: 1, clock: clock)
        var waits: [Duration] = []
        for _ in 0..<4 { waits.append(try await limiter.acquire(tokens: 0).waited) }
        #expect(waits == [.zero, .milliseconds(250), .milliseconds(250), .milliseconds(250)])
    }

    @Test func headroomKeepsJustUnderTheLimit() async throws {
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 20), clock: ImmediateClock())
        _ = try await limiter.acquire(tokens: 0)
        let second = try await limiter.acquire(tokens: 0)
        #expect(second.waited > .milliseconds(50) && second.waited < .microseconds(50_600))  // 1 / (20 × 0.99)
    }

    @Test func callsAreAdmittedInArrivalOrder() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 1), headroom: 1, clock: clock)
        _ = try await limiter.acquire(tokens: 0)  // takes the slot at 0 s
        let order = Shared<[String]>([])
        var tasks: [Task<Void, any Error>] = []
        for (index, name) in ["a", "b", "c"].enumerated() {
            tasks.append(Task { _ = try await limiter.acquire(tokens: 0); order.withLock { $0.append(name) } })
            // Wait until this caller holds its reservation before the next one arrives.
            #expect(await eventually { limiter.nextRequestTime == .seconds(index + 2) })
        }
        for _ in 0..<3 {
            clock.advance(by: .seconds(1))
            let count = order.withLock { $0.count }
            _ = await eventually { order.withLock { $0.count } > count }
        }
        for task in tasks { try await task.value }
        #expect(order.withLock { $0 } == ["a", "b", "c"])
    }

    @Test func aCancelledWaiterGivesItsSlotBack() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 1), headroom: 1, clock: clock)
        _ = try await limiter.acquire(tokens: 0)
        let waiter = Task { try await limiter.acquire(tokens: 0) }
        #expect(await eventually { limiter.nextRequestTime == .seconds(2) })
        waiter.cancel()
        let error = await #expect(throws: MistralError.self) { try await waiter.value }
        #expect(error?.kind == .cancelled)
        #expect(limiter.nextRequestTime == .seconds(1))
        let next = Task { try await limiter.acquire(tokens: 0) }
        #expect(await eventually { limiter.nextRequestTime == .seconds(2) })
        clock.advance(by: .seconds(1))
        #expect(try await next.value.waited == .seconds(1))
    }

    @Test func aWaitBeyondTheDeadlineFailsAtOnceAndReservesNothing() async throws {
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 1), headroom: 1, clock: ManualClock())
        _ = try await limiter.acquire(tokens: 0)
        let error = await #expect(throws: MistralError.self) { try await limiter.acquire(tokens: 0, maxWait: .milliseconds(500)) }
        #expect(error?.kind == .rateLimitWait)
        #expect(error?.retryAfter == .seconds(1))
        #expect(limiter.nextRequestTime == .seconds(1))
    }

    @Test func tokensPerMinuteAreReservedAndReconciled() async throws {
        let clock = ImmediateClock()
        let limiter = RateLimiter(limits: RateLimits(tokensPerMinute: 600), headroom: 1, clock: clock)
        let first = try await limiter.acquire(tokens: 600)
        #expect(first.waited == .zero)
        first.reconcile(actualTokens: 300)  // 300 tokens come back
        let second = try await limiter.acquire(tokens: 360)  // 300 available, 60 more take 6 s at 10 tokens/s
        #expect(second.waited == .seconds(6))
    }

    @Test func adaptiveModeLearnsLimitsFromHeadersAndBacksOffOn429() async throws {
        let clock = ImmediateClock()
        let limiter = RateLimiter(limits: .unlimited, adaptive: true, headroom: 1, clock: clock)
        #expect(try await limiter.acquire(tokens: 0).waited == .zero)
        limiter.observe(RateLimitHeaders(values: ["x-ratelimit-limit-req-minute": "120", "x-ratelimit-limit-tokens-minute": "6000"]))
        #expect(limiter.limits.requestsPerSecond == 2)
        #expect(limiter.limits.tokensPerMinute == 6000)
        _ = try await limiter.acquire(tokens: 0)
        #expect(try await limiter.acquire(tokens: 0).waited == .milliseconds(500))
        limiter.observeRateLimited(retryAfter: .seconds(3))
        let paused = try await limiter.acquire(tokens: 0)
        #expect(paused.waited >= .seconds(3))
    }

    @Test func without429HeadersTheRateDropsByAFifth() async throws {
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 10), adaptive: true, clock: ImmediateClock())
        limiter.observeRateLimited(retryAfter: nil)
        #expect(limiter.limits.requestsPerSecond == 8)
    }

    @Test func theClientWaitsForItsLimiterAndReconcilesUsage() async throws {
        let clock = ImmediateClock()
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 2, tokensPerMinute: 100_000), headroom: 1, clock: clock)
        let transport = ScriptedTransport { _, _ in Canned.json() }
        let client = scriptedClient(transport) { $0.rateLimiter = limiter }
        for _ in 0..<3 { _ = try await client.chat(hello) }
        #expect(clock.sleeps == [.milliseconds(500), .milliseconds(500)])
    }

    @Test func upstream429sTeachAnAdaptiveLimiterThroughTheClient() async throws {
        let clock = ImmediateClock()
        let limiter = RateLimiter(limits: .unlimited, adaptive: true, headroom: 1, clock: clock)
        let transport = ScriptedTransport { _, _ in Canned.json(headers: [("x-ratelimit-limit-req-minute", "60")]) }
        let client = scriptedClient(transport) { $0.rateLimiter = limiter }
        _ = try await client.chat(hello)
        #expect(limiter.limits.requestsPerSecond == 1)
    }
}

@Suite("Concurrency limit and batches")
struct ConcurrencyTests {
    @Test func noMoreThanTheLimitIsInFlight() async throws {
        let inFlight = Shared((now: 0, peak: 0))
        let transport = ScriptedTransport { _, _ in
            inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(for: .milliseconds(20))
            inFlight.withLock { $0.now -= 1 }
            return Canned.json()
        }
        let limiter = ConcurrencyLimiter(limit: 3)
        let client = scriptedClient(transport) { $0.concurrencyLimiter = limiter }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try? await client.chat(hello) } }
        }
        #expect(inFlight.withLock { $0.peak } == 3)
        #expect(transport.count == 20)
        #expect(limiter.inFlight == 0)
    }

    @Test func aStreamHoldsItsSlotUntilItEnds() async throws {
        let transport = ScriptedTransport { _, _ in Canned.stream([Canned.chunk("Hi", finish: "stop", usage: true), "[DONE]"]) }
        let limiter = ConcurrencyLimiter(limit: 1)
        let client = scriptedClient(transport) { $0.concurrencyLimiter = limiter }
        let stream = try await client.chatStream(hello)
        #expect(limiter.inFlight == 1)
        _ = try await stream.collect()
        #expect(limiter.inFlight == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        #expect(await eventually { limiter.waiting == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.waiting == 0)
        limiter.release()
        #expect(limiter.inFlight == 0)
    }

    @Test func aBatchReportsEveryItemInOrderWithProgress() async throws {
        let transport = ScriptedTransport { request, _ in
            let body = try JSONCoding.decode(JSONValue.self, from: request.body ?? [])
            let text = body["messages"]?[0]?["content"]?.stringValue ?? ""
            return text.hasSuffix("7") ? Canned.json(422, #"{"detail":[{"loc":["body"],"msg":"bad","type":"value_error"}]}"#) : Canned.json(200, Canned.chatBody(text: text))
        }
        let client = scriptedClient(transport) { $0.retry = .disabled }
        let seen = Shared<[BatchProgress]>([])
        let items = (0..<20).map { "item \($0)" }
        let results = await client.runBatch(items, maxConcurrency: 4, progress: { progress in seen.withLock { $0.append(progress) } }) { item in
            try await client.chat(ChatCompletionRequest(model: "m", messages: [.user(item)])).text
        }
        #expect(results.count == 20)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let text): #expect(text == "item \(index)")
            case .failure(let error):
                #expect(index % 10 == 7)
                #expect(error.kind == .validation)
            }
        }
        let progress = seen.withLock { $0 }
        #expect(progress.count == 20)
        #expect(progress.last == BatchProgress(completed: 18, failed: 2, total: 20))
    }
}
