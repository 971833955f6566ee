import Synchronization

/// A FIFO semaphore bounding how many calls are in flight at once (a streamed call counts
/// until its stream ends or is dropped).
///
/// Waiters are admitted in arrival order; a waiter whose task is cancelled leaves the queue
/// without taking a slot. Share one limiter between clients to bound a whole process.
public final class ConcurrencyLimiter: Sendable {
    /// The most calls in flight.
    public let limit: Int
    private let state: Mutex<State>

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inFlight = 0
        var waiters: [Waiter] = []
        var head = 0
        var nextID: UInt64 = 0
    }

    public init(limit: Int) {
        self.limit = max(1, limit)
        self.state = Mutex(State())
    }

    /// Calls in flight now.
    public var inFlight: Int { state.withLock { $0.inFlight } }
    /// Calls waiting for a slot now.
    public var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    /// Waits for a slot. Throws `CancellationError` if the task is cancelled first.
    func acquire() async throws {
        let id = state.withLock { state -> UInt64? in
            if state.inFlight < limit, state.head == state.waiters.count {
                state.inFlight += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters[state.head...].firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Frees a slot, handing it to the longest waiter.
    func release() {
        let next = state.withLock { state -> Waiter? in
            if state.head < state.waiters.count {
                let waiter = state.waiters[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.waiters.count {
                    state.waiters.removeFirst(state.head)
                    state.head = 0
                }
                return waiter  // the slot passes on; inFlight is unchanged
            }
            state.inFlight -= 1
            return nil
        }
        next?.continuation.resume()
    }
}

/// Releases a concurrency slot exactly once: explicitly, or when the last holder drops it
/// (e.g. a stream abandoned mid-way).
final class ConcurrencySlot: Sendable {
    private let limiter: ConcurrencyLimiter
    private let released = Atomic<Bool>(false)

    init(_ limiter: ConcurrencyLimiter) { self.limiter = limiter }

    func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { limiter.release() }
    }

    deinit { release() }
}
