import Synchronization

/// A queue in front of a ``RateLimiter`` that shares the limit fairly between lanes (the keys
/// or tenants of a gateway) and serves interactive work before batch work.
///
/// Without it, a limiter admits calls in arrival order: one caller offering ten times the
/// load fills the queue and everyone waits behind it. With it, calls wait in one queue per
/// lane and the limiter's slots go round-robin over the lanes that have calls waiting (each
/// call counts one, whatever its tokens), interactive lanes first. A call arriving when
/// nothing waits and the limiter has a slot starts at once without queueing.
///
/// A call never waits in vain: when it arrives, its start is estimated from the calls ahead
/// of it in that order; if the estimate exceeds its ``Scheduling/maxWait`` (or the client's
/// deadline), it fails at once with ``MistralError/Kind-swift.struct/rateLimitWait`` and a
/// `retryAfter` equal to the estimate, which a gateway sends as `Retry-After`. Under a
/// sustained overload, queues therefore stay at most `maxWait` long, and a lane offering
/// no more than its share waits about one slot.
///
/// The lane and priority of calls come from ``Scheduling/with(_:operation:)``, set around the
/// client call. Give the queue to a client as ``MistralClient/Configuration/fairQueue``;
/// its limiter then replaces ``MistralClient/Configuration/rateLimiter``.
public final class FairQueue: Sendable {
    /// The limiter whose slots are shared.
    public let limiter: RateLimiter
    /// The longest wait for calls that set none.
    public let defaultMaxWait: Duration
    private let state = Mutex(State())

    /// Which lane a call waits in, how urgent it is, and how long it may wait.
    public struct Scheduling: Sendable, Hashable {
        /// The lane (a key's id, a tenant); calls of one lane are served in arrival order.
        public var lane: String
        public var priority: Priority
        /// The longest this call may wait for its slot; `nil`: the queue's default.
        public var maxWait: Duration?

        public init(lane: String, priority: Priority = .interactive, maxWait: Duration? = nil) {
            self.lane = lane
            self.priority = priority
            self.maxWait = maxWait
        }

        @TaskLocal static var current = Scheduling(lane: "")

        /// Runs `operation` with its client calls queued as `scheduling` says.
        public static func with<Result>(_ scheduling: Scheduling, operation: () async throws -> Result) async rethrows -> Result {
            try await $current.withValue(scheduling, operation: operation)
        }
    }

    /// Interactive calls (someone is waiting) go before batch calls.
    public enum Priority: String, Sendable, Hashable, Codable, CaseIterable {
        case interactive
        case batch
    }

    /// How many calls wait, by lane.
    public var waiting: [String: Int] {
        state.withLock { state in
            var counts: [String: Int] = [:]
            for queues in state.lanes { for (lane, queue) in queues where queue.count > 0 { counts[lane, default: 0] += queue.count } }
            return counts
        }
    }

    /// A queue sharing `limiter`; calls wait at most `defaultMaxWait` unless they say otherwise.
    public init(limiter: RateLimiter, defaultMaxWait: Duration = .seconds(1)) {
        self.limiter = limiter
        self.defaultMaxWait = defaultMaxWait
    }

    private struct Waiter {
        var id: UInt64
        var tokens: Int
        var enqueued: ContinuousClock.Instant
        var continuation: CheckedContinuation<RateLimiter.Permit, any Error>
    }

    /// One lane's waiters in arrival order (`head` is the next one).
    private struct LaneQueue {
        var waiters: [Waiter] = []
        var head = 0
        var count: Int { waiters.count - head }

        mutating func pop() -> Waiter? {
            guard head < waiters.count else { return nil }
            let waiter = waiters[head]
            head += 1
            if head == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                head = 0
            }
            return waiter
        }
    }

    private struct State {
        /// Per priority (interactive, batch): lane → queue.
        var lanes: [[String: LaneQueue]] = Array(repeating: [:], count: Priority.allCases.count)
        /// Per priority: the lanes with waiters, in round-robin order; `turn` is the next to serve.
        var ring: [[String]] = Array(repeating: [], count: Priority.allCases.count)
        var turn: [Int] = Array(repeating: 0, count: Priority.allCases.count)
        var total = 0
        var dispatching = false
        var nextID: UInt64 = 0
        /// Waiters whose task was cancelled before they were queued.
        var cancelledEarly: Set<UInt64> = []
        /// How often each backlogged lane has been served lately.
        var pace: [String: LanePace] = [:]
    }

    /// The time between a lane's turns while it has calls waiting: its real share of the limit,
    /// which calls still to arrive in other lanes shrink below what the queues show now.
    private struct LanePace {
        var lastTurn: ContinuousClock.Instant
        /// Seconds between turns, smoothed; `nil` until the lane has waited for two turns in a row.
        var interval: Double?
        /// Whether calls were still waiting in the lane at its last turn.
        var backlogged: Bool
    }

    private enum Arrival {
        case granted(RateLimiter.Permit)
        case refused(MistralError)
        case queued(startDispatcher: Bool)
    }

    /// Waits for this call's slot, as the current ``Scheduling`` says.
    ///
    /// - Parameters:
    ///   - tokens: the call's token reservation, as for ``RateLimiter/acquire(tokens:maxWait:)``.
    ///   - deadline: the time the call has left, if shorter than its `maxWait`.
    /// - Throws: `.rateLimitWait` at once when the estimated wait is too long (nothing is
    ///   reserved), `.cancelled` when the task is cancelled while waiting.
    public func acquire(tokens: Int, deadline: Duration? = nil) async throws -> RateLimiter.Permit {
        let scheduling = Scheduling.current
        let allowed = scheduling.maxWait ?? defaultMaxWait
        let limit = deadline.map { min($0, allowed) } ?? allowed
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RateLimiter.Permit, any Error>) in
                let arrival = state.withLock { state -> Arrival in
                    if state.cancelledEarly.remove(id) != nil {
                        return .refused(MistralError(kind: .cancelled, message: "The call was cancelled while waiting for the rate limiter."))
                    }
                    if state.total == 0, let permit = try? limiter.acquireNow(tokens: tokens) { return .granted(permit) }
                    let estimate = estimatedWait(state, scheduling: scheduling, tokens: tokens)
                    if estimate > limit {
                        return .refused(
                            MistralError(
                                kind: .rateLimitWait,
                                message: "The upstream's rate limit is taken: this call would wait about \(estimate.formattedSeconds) for its turn, longer than the \(limit.formattedSeconds) it may wait.",
                                retryAfter: estimate))
                    }
                    let level = Self.level(scheduling.priority)
                    if state.lanes[level][scheduling.lane, default: LaneQueue()].count == 0 { state.ring[level].append(scheduling.lane) }
                    state.lanes[level][scheduling.lane, default: LaneQueue()].waiters.append(
                        Waiter(id: id, tokens: tokens, enqueued: .now, continuation: continuation))
                    state.total += 1
                    let start = !state.dispatching
                    state.dispatching = true
                    return .queued(startDispatcher: start)
                }
                switch arrival {
                case .granted(let permit): continuation.resume(returning: permit)
                case .refused(let error): continuation.resume(throwing: error)
                case .queued(let startDispatcher):
                    if startDispatcher { Task { await self.dispatch() } }
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> Waiter? in
                for level in state.lanes.indices {
                    for (lane, queue) in state.lanes[level] {
                        guard let position = queue.waiters[queue.head...].firstIndex(where: { $0.id == id }) else { continue }
                        let waiter = state.lanes[level][lane]!.waiters.remove(at: position)
                        state.total -= 1
                        if state.lanes[level][lane]!.count == 0 { Self.retire(lane, level: level, in: &state) }
                        return waiter
                    }
                }
                state.cancelledEarly.insert(id)
                return nil
            }
            if let removed {
                removed.continuation.resume(throwing: MistralError(kind: .cancelled, message: "The call was cancelled while waiting for the rate limiter."))
            }
        }
    }

    /// The wait of a call arriving now in `scheduling`'s lane: the limiter's own delay, plus one
    /// interval per call served before it (all waiting calls of higher priority; of each other
    /// lane of its priority, as many as wait in its own lane, plus one). A lane that has been
    /// waiting turn after turn is judged by its real pace too: calls arriving in other lanes take
    /// turns that the queues do not show yet, and the estimate must not promise less than that.
    private func estimatedWait(_ state: State, scheduling: Scheduling, tokens: Int) -> Duration {
        let (delay, interval) = limiter.schedule(tokens: tokens)
        guard let interval else { return delay }
        let level = Self.level(scheduling.priority)
        let position = state.lanes[level][scheduling.lane]?.count ?? 0
        var ahead = position
        for higher in 0..<level { ahead += state.lanes[higher].values.reduce(0) { $0 + $1.count } }
        for (lane, queue) in state.lanes[level] where lane != scheduling.lane { ahead += min(queue.count, position + 1) }
        let queued = delay + interval * ahead
        guard position > 0, let pace = state.pace[scheduling.lane], pace.backlogged, let seconds = pace.interval else { return queued }
        return max(queued, .seconds(double: seconds * Double(position + 1)))
    }

    /// Hands the limiter's slots to the waiters, in fair order, until none waits.
    private func dispatch() async {
        while true {
            let next = state.withLock { state -> Waiter? in
                guard let waiter = Self.popNext(&state) else {
                    state.dispatching = false
                    return nil
                }
                return waiter
            }
            guard let waiter = next else { return }
            do {
                // The dispatcher's task is never cancelled: this waits for the limiter's slot.
                let permit = try await limiter.acquire(tokens: waiter.tokens)
                waiter.continuation.resume(
                    returning: RateLimiter.Permit(limiter: limiter, reservedTokens: permit.reservedTokens, waited: .now - waiter.enqueued))
            } catch {
                waiter.continuation.resume(throwing: error)
            }
        }
    }

    private static func popNext(_ state: inout State) -> Waiter? {
        for level in state.ring.indices where !state.ring[level].isEmpty {
            let turn = state.turn[level] % state.ring[level].count
            let lane = state.ring[level][turn]
            guard let waiter = state.lanes[level][lane]?.pop() else { continue }
            state.total -= 1
            let now = ContinuousClock.now
            var pace = state.pace[lane] ?? LanePace(lastTurn: now, interval: nil, backlogged: false)
            if pace.backlogged {
                let gap = (now - pace.lastTurn).secondsValue
                pace.interval = pace.interval.map { $0 * 0.8 + gap * 0.2 } ?? gap
            }
            pace.lastTurn = now
            pace.backlogged = (state.lanes[level][lane]?.count ?? 0) > 0
            if !pace.backlogged { pace.interval = nil }
            state.pace[lane] = pace
            if state.lanes[level][lane]!.count == 0 {
                retire(lane, level: level, in: &state)
            } else {
                state.turn[level] = turn + 1
            }
            return waiter
        }
        return nil
    }

    /// Takes an empty lane out of the round-robin; the next lane keeps its turn.
    private static func retire(_ lane: String, level: Int, in state: inout State) {
        state.lanes[level][lane] = nil
        guard let position = state.ring[level].firstIndex(of: lane) else { return }
        state.ring[level].remove(at: position)
        if position < state.turn[level] { state.turn[level] -= 1 }
        if state.ring[level].isEmpty { state.turn[level] = 0 }
    }

    private static func level(_ priority: Priority) -> Int { priority == .interactive ? 0 : 1 }
}
