import Foundation
import Logging
import Synchronization

/// A spending limit for a period, enforced before each call is sent.
///
/// Each call reserves its estimated cost (its prompt estimate plus `max_tokens`, or
/// ``assumedCompletionTokens`` without it) before sending. A call whose reservation would take
/// spent plus reserved money past the ``hardLimitUSD`` is refused with
/// ``MistralError/Kind-swift.struct/budgetExceeded`` and nothing is sent. Reservations and
/// commits happen under one lock, so concurrent calls cannot overshoot the limit together
/// (as long as a call's real cost stays within its reservation, which `max_tokens` ensures).
/// When the call ends, its real cost replaces the reservation. Crossing ``softLimitUSD``
/// logs a warning and calls `onSoftLimit` once per period.
///
/// A budget may be scoped to calls carrying given tags (e.g. one budget per `user`).
public final class Budget: Sendable {
    /// The window a budget's spending is counted in (UTC).
    public enum Period: String, Sendable, Hashable, Codable {
        case day, month, total
    }

    /// Spending so far in the current period.
    public struct Status: Sendable, Hashable {
        public var period: Period
        /// Committed cost of finished calls.
        public var spentUSD: Double
        /// Reserved cost of calls in flight.
        public var reservedUSD: Double
        public var softLimitUSD: Double?
        public var hardLimitUSD: Double?
    }

    public let period: Period
    /// Spending past which a warning is logged, once a period; changed by ``setLimits(hardUSD:softUSD:)``.
    public var softLimitUSD: Double? { state.withLock { $0.soft } }
    /// Spending no call may cross; changed by ``setLimits(hardUSD:softUSD:)``.
    public var hardLimitUSD: Double? { state.withLock { $0.hard } }
    /// Tags a call must carry for the budget to apply (empty: every call).
    public let scope: [String: String]
    /// Completion tokens reserved for a call without `max_tokens`.
    public let assumedCompletionTokens: Int
    private let now: @Sendable () -> Date
    private let onSoftLimit: @Sendable (Status) -> Void
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var hard: Double?
        var soft: Double?
        var periodKey: String
        var spent: Double
        var reserved: Double = 0
        var warned = false
    }

    /// A budget over `period`, counting the calls whose tags match `scope`.
    ///
    /// - Parameters:
    ///   - hardLimitUSD: spending that no call may cross: a call whose reservation would is
    ///     refused before it is sent (`.budgetExceeded`). `nil`: no hard limit.
    ///   - softLimitUSD: spending past which a warning is logged and `onSoftLimit` called, once a period.
    ///   - period: the day, month or whole lifetime the limits apply to.
    ///   - scope: the usage tags a call must carry to count (e.g. `["user": "42"]`); empty: every call.
    ///   - assumedCompletionTokens: the completion reserved for a call without `max_tokens`.
    ///   - records: records already spent (e.g. from a ledger); those in the current period
    ///     and scope count toward the limits.
    ///   - now: the wall clock deciding the period; injected in tests.
    ///   - logger: where the soft-limit warning goes.
    ///   - onSoftLimit: called once a period when spending first passes the soft limit.
    public init(
        hardLimitUSD: Double? = nil, softLimitUSD: Double? = nil, period: Period = .month, scope: [String: String] = [:],
        assumedCompletionTokens: Int = 1024, seedFrom records: [UsageRecord] = [], now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "MistralKit.Budget"), onSoftLimit: @escaping @Sendable (Status) -> Void = { _ in }
    ) {
        self.period = period
        self.scope = scope
        self.assumedCompletionTokens = max(0, assumedCompletionTokens)
        self.now = now
        self.onSoftLimit = onSoftLimit
        self.logger = logger
        let key = Self.periodKey(period, now())
        let spent = records.filter { Self.periodKey(period, $0.timestamp) == key && Self.matches(scope, $0.tags) }
            .reduce(0) { $0 + ($1.costUSD ?? 0) }
        self.state = Mutex(State(hard: hardLimitUSD, soft: softLimitUSD, periodKey: key, spent: spent))
    }

    /// Spending in the current period.
    public var status: Status {
        let key = Self.periodKey(period, now())
        return state.withLock { state in
            roll(&state, key)
            return Status(period: period, spentUSD: state.spent, reservedUSD: state.reserved, softLimitUSD: state.soft, hardLimitUSD: state.hard)
        }
    }

    /// Changes the limits and keeps what was spent and reserved: a key whose budget is raised
    /// or lowered goes on counting the calls already made and those in flight. A soft limit
    /// raised past the spending warns again when crossed.
    public func setLimits(hardUSD: Double?, softUSD: Double?) {
        state.withLock { state in
            if state.soft != softUSD { state.warned = softUSD.map { state.spent >= $0 } ?? false }
            state.hard = hardUSD
            state.soft = softUSD
        }
    }

    /// A call's hold on the budget; ends with ``commit(actualUSD:)`` (or ``release()``). One
    /// dropped without either is released.
    public final class Reservation: Sendable {
        let budget: Budget
        let amount: Double
        let periodKey: String
        private let done = Atomic<Bool>(false)

        init(budget: Budget, amount: Double, periodKey: String) {
            self.budget = budget
            self.amount = amount
            self.periodKey = periodKey
        }

        /// Replaces the reservation with the call's real cost; later calls are ignored.
        public func commit(actualUSD: Double) {
            guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
            budget.settle(self, actual: actualUSD)
        }

        /// Gives the reservation back (the call cost nothing).
        public func release() { commit(actualUSD: 0) }

        deinit { release() }
    }

    /// Reserves `estimateUSD` for a call tagged `tags`; `nil` when the budget does not apply.
    /// Throws `.budgetExceeded` when the reservation would cross the hard limit. Clients
    /// reserve for each call themselves; a gateway holding one budget per key calls this.
    public func reserve(estimateUSD: Double, tags: [String: String]) throws -> Reservation? {
        guard Self.matches(scope, tags) else { return nil }
        let key = Self.periodKey(period, now())
        let refusal = state.withLock { state -> Status? in
            roll(&state, key)
            if let hard = state.hard, state.spent + state.reserved + estimateUSD > hard {
                return Status(period: period, spentUSD: state.spent, reservedUSD: state.reserved, softLimitUSD: state.soft, hardLimitUSD: hard)
            }
            state.reserved += estimateUSD
            return nil
        }
        if let refusal, let hard = refusal.hardLimitUSD {
            let scopeText = scope.isEmpty ? "" : " for \(scope.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"
            throw MistralError(
                kind: .budgetExceeded,
                message: String(
                    format: "This call (up to $%.6f) would take the %@ budget%@ past its hard limit of $%.2f: $%.6f spent, $%.6f reserved by calls in flight.",
                    estimateUSD, period.rawValue, scopeText, hard, refusal.spentUSD, refusal.reservedUSD))
        }
        return Reservation(budget: self, amount: estimateUSD, periodKey: key)
    }

    private func settle(_ reservation: Reservation, actual: Double) {
        let key = Self.periodKey(period, now())
        let crossed = state.withLock { state -> Status? in
            if state.periodKey == reservation.periodKey { state.reserved = max(0, state.reserved - reservation.amount) }
            roll(&state, key)
            state.spent += actual
            guard let soft = state.soft, !state.warned, state.spent >= soft else { return nil }
            state.warned = true
            return Status(period: period, spentUSD: state.spent, reservedUSD: state.reserved, softLimitUSD: soft, hardLimitUSD: state.hard)
        }
        if let crossed {
            logger.warning(
                "budget soft limit crossed",
                metadata: ["spent-usd": "\(crossed.spentUSD)", "soft-limit-usd": "\(crossed.softLimitUSD ?? 0)", "period": "\(period.rawValue)"])
            onSoftLimit(crossed)
        }
    }

    private func roll(_ state: inout State, _ key: String) {
        guard state.periodKey != key else { return }
        state.periodKey = key
        state.spent = 0
        state.reserved = 0
        state.warned = false
    }

    static func matches(_ scope: [String: String], _ tags: [String: String]) -> Bool {
        scope.allSatisfy { tags[$0.key] == $0.value }
    }

    static func periodKey(_ period: Period, _ date: Date) -> String {
        switch period {
        case .total: "total"
        case .month: String(UsageReport.day(date).prefix(7))
        case .day: UsageReport.day(date)
        }
    }
}
