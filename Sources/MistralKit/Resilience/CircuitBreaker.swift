import Synchronization

/// Circuit breakers per upstream and model: after repeated failures the calls to that pair
/// fail fast with ``MistralError/Kind-swift.struct/circuitOpen`` instead of piling onto a
/// failing service; after ``Policy/openDuration`` one probe is let through, and its success
/// closes the circuit again.
///
/// Counted as failures: 5xx, timeouts and connection failures. Not counted: 4xx (the request's
/// fault) and 429 (the rate limiter's business). Share one instance between clients.
public final class CircuitBreakers: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Consecutive failures that open a circuit.
        public var failureThreshold: Int
        /// How long a circuit stays open before a probe.
        public var openDuration: Duration
        /// Probes let through at once while half-open.
        public var halfOpenProbes: Int

        public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30), halfOpenProbes: Int = 1) {
            self.failureThreshold = max(1, failureThreshold)
            self.openDuration = openDuration
            self.halfOpenProbes = max(1, halfOpenProbes)
        }
    }

    /// A circuit's state, as reported by ``state(upstream:model:)``.
    public enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        /// Failing fast until `retryIn` has passed.
        case open(retryIn: Duration)
        /// Letting probes through.
        case halfOpen
    }

    private enum Circuit {
        case closed(failures: Int)
        case open(until: Duration)
        case halfOpen(probesInFlight: Int)
    }

    public let policy: Policy
    private let timeline: Timeline
    private let circuits = Mutex<[String: Circuit]>([:])

    public init(policy: Policy = Policy(), clock: any Clock<Duration> = ContinuousClock()) {
        self.policy = policy
        self.timeline = .of(clock)
    }

    /// The state of the circuit for `upstream` (a base URL) and `model`.
    public func state(upstream: String, model: String?) -> State {
        let now = timeline.now()
        return circuits.withLock { circuits in
            switch circuits[Self.key(upstream, model)] ?? .closed(failures: 0) {
            case .closed(let failures): .closed(consecutiveFailures: failures)
            case .open(let until) where until > now: .open(retryIn: until - now)
            case .open, .halfOpen: .halfOpen
            }
        }
    }

    private enum Admission {
        case admitted
        case refused(retryIn: Duration)
    }

    /// Admits a call or throws `.circuitOpen`. Every admitted call must be followed by one
    /// ``record(upstream:model:outcome:)``.
    func admit(upstream: String, model: String?) throws {
        let timeline = self.timeline
        let admission = circuits.withLock { circuits -> Admission in
            // Healthy circuits are not stored: the usual call neither builds a key nor reads the clock.
            if circuits.isEmpty { return .admitted }
            let key = Self.key(upstream, model)
            let now = timeline.now()
            switch circuits[key] ?? .closed(failures: 0) {
            case .closed: return .admitted
            case .open(let until) where until > now: return .refused(retryIn: until - now)
            case .open:
                circuits[key] = .halfOpen(probesInFlight: 1)
                return .admitted
            case .halfOpen(let probes) where probes < policy.halfOpenProbes:
                circuits[key] = .halfOpen(probesInFlight: probes + 1)
                return .admitted
            case .halfOpen:
                return .refused(retryIn: .zero)
            }
        }
        guard case .refused(let retryIn) = admission else { return }
        let target = "\(model ?? "this endpoint") at \(upstream)"
        throw MistralError(
            kind: .circuitOpen,
            message: retryIn > .zero
                ? "Calls to \(target) fail fast after \(policy.failureThreshold) consecutive failures; a probe goes through in \(retryIn.formattedSeconds)."
                : "Calls to \(target) fail fast while a probe checks whether it recovered.",
            retryAfter: retryIn)
    }

    /// How an admitted call ended, for its circuit.
    enum Outcome {
        case success
        case failure
        /// Says nothing about the upstream's health (a 4xx, a 429, a cancellation).
        case neutral
    }

    /// Records the outcome of an admitted call.
    func record(upstream: String, model: String?, outcome: Outcome) {
        let timeline = self.timeline
        circuits.withLock { circuits in
            if circuits.isEmpty, outcome != .failure { return }
            let key = Self.key(upstream, model)
            let circuit = circuits[key] ?? .closed(failures: 0)
            let now = timeline.now()
            switch (circuit, outcome) {
            case (_, .success):
                circuits[key] = nil  // closed with no failures
            case (.closed(let failures), .failure):
                circuits[key] =
                    failures + 1 >= policy.failureThreshold
                    ? .open(until: now + policy.openDuration) : .closed(failures: failures + 1)
            case (.halfOpen, .failure), (.open, .failure):
                circuits[key] = .open(until: now + policy.openDuration)
            case (.halfOpen(let probes), .neutral):
                circuits[key] = .halfOpen(probesInFlight: max(0, probes - 1))
            case (_, .neutral):
                break
            }
        }
    }

    static func outcome(of error: MistralError) -> Outcome {
        countsAsFailure(error) ? .failure : .neutral
    }

    /// Whether an error says the upstream is unhealthy (as opposed to the request being wrong).
    static func countsAsFailure(_ error: MistralError) -> Bool {
        [.server, .timeout, .connection].contains(error.kind)
    }

    private static func key(_ upstream: String, _ model: String?) -> String { "\(upstream)\u{0}\(model ?? "")" }
}
