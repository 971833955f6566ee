import Foundation
@testable import MistralKit
import Synchronization
import Testing

/// The fair queue: round-robin between lanes, interactive first, early refusal, cancellation.
/// Orders are asserted, never durations, so a slow machine changes nothing.
struct FairQueueTests {
    /// What the calls recorded, in the order they did.
    final class Recorded<Element: Sendable>: Sendable {
        private let items = Mutex<[Element]>([])
        func append(_ item: Element) { items.withLock { $0.append(item) } }
        var all: [Element] { items.withLock { $0 } }
    }
    typealias Grants = Recorded<String>

    /// 10 requests a second: a slot every 100 ms, slow enough for queues to form on any machine.
    static func queue(maxWait: Duration = .seconds(5)) -> FairQueue {
        FairQueue(limiter: RateLimiter(limits: RateLimits(requestsPerSecond: 10), headroom: 1), defaultMaxWait: maxWait)
    }

    /// Starts `count` calls in `lane` and records each grant in `order`.
    static func start(
        _ count: Int, lane: String, priority: FairQueue.Priority = .interactive, on queue: FairQueue, order: Grants,
        in group: inout ThrowingTaskGroup<Void, any Error>
    ) {
        for _ in 0..<count {
            group.addTask {
                _ = try await FairQueue.Scheduling.with(.init(lane: lane, priority: priority)) { try await queue.acquire(tokens: 0) }
                order.append(lane)
            }
        }
    }

    /// Waits (at most two seconds) until `lane` has at least `count` calls queued.
    static func waitUntil(_ queue: FairQueue, lane: String, waiting count: Int) async {
        let deadline = ContinuousClock.now + .seconds(2)
        while (queue.waiting[lane] ?? 0) < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func aLateLaneIsServedInTurnNotAfterTheBusyOne() async throws {
        let queue = Self.queue()
        let order = Grants()
        try await withThrowingTaskGroup(of: Void.self) { group in
            Self.start(8, lane: "noisy", on: queue, order: order, in: &group)
            await Self.waitUntil(queue, lane: "noisy", waiting: 5)
            Self.start(2, lane: "quiet", on: queue, order: order, in: &group)
            try await group.waitForAll()
        }
        let served = order.all
        #expect(served.count == 10)
        // Round-robin: both quiet calls come within the first five grants after they arrived,
        // not after the noisy lane's whole queue.
        let quietPositions = served.indices.filter { served[$0] == "quiet" }
        #expect(quietPositions.allSatisfy { $0 <= 5 }, "\(served)")
    }

    @Test func interactiveCallsGoBeforeBatchCalls() async throws {
        let queue = Self.queue()
        let order = Grants()
        try await withThrowingTaskGroup(of: Void.self) { group in
            Self.start(6, lane: "batch", priority: .batch, on: queue, order: order, in: &group)
            await Self.waitUntil(queue, lane: "batch", waiting: 4)
            Self.start(2, lane: "person", on: queue, order: order, in: &group)
            try await group.waitForAll()
        }
        let served = order.all
        let firstPerson = try #require(served.firstIndex(of: "person"))
        let lastPerson = try #require(served.lastIndex(of: "person"))
        #expect(lastPerson - firstPerson == 1, "\(served)")
        #expect(served.suffix(2).allSatisfy { $0 == "batch" }, "\(served)")
    }

    @Test func aCallThatWouldWaitTooLongIsRefusedAtOnceWithItsWait() async throws {
        let queue = Self.queue(maxWait: .milliseconds(350))
        let outcomes = Recorded<Duration?>()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    let started = ContinuousClock.now
                    do {
                        _ = try await FairQueue.Scheduling.with(.init(lane: "a")) { try await queue.acquire(tokens: 0) }
                        outcomes.append(nil)
                    } catch let error as MistralError {
                        #expect(error.kind == .rateLimitWait)
                        #expect((error.retryAfter ?? .zero) > .milliseconds(350))
                        #expect(ContinuousClock.now - started < .milliseconds(300), "refused at once, not after waiting")
                        outcomes.append(error.retryAfter)
                    } catch {
                        Issue.record("unexpected \(error)")
                    }
                }
            }
        }
        let results = outcomes.all
        let served = results.filter { $0 == nil }.count
        // One starts at once, about three more fit in 350 ms of 100 ms slots; the rest are refused.
        #expect(served >= 2 && served <= 6, "\(results)")
        #expect(results.count == 10)
    }

    @Test func aCancelledWaiterLeavesTheQueueAndTheOthersAreServed() async throws {
        let queue = Self.queue()
        let order = Grants()
        try await withThrowingTaskGroup(of: Void.self) { group in
            Self.start(3, lane: "a", on: queue, order: order, in: &group)
            await Self.waitUntil(queue, lane: "a", waiting: 1)
            let doomed = Task {
                try await FairQueue.Scheduling.with(.init(lane: "b")) { try await queue.acquire(tokens: 0) }
            }
            await Self.waitUntil(queue, lane: "b", waiting: 1)
            doomed.cancel()
            await #expect(throws: MistralError.self) { _ = try await doomed.value }
            try await group.waitForAll()
        }
        #expect(order.all.count == 3)
        #expect(queue.waiting.isEmpty)
    }
}
