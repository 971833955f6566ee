import Foundation
import Logging
import MistralGatewayCore
import MistralKit
import Synchronization

/// One key's limits as this instance enforces them: requests and tokens per minute, requests in
/// flight, and the daily and monthly budgets, each spent by reservation.
///
/// A request that would break a limit is refused at once with what the caller needs to act
/// (``GatewayFailure``): a rate limit says when to come back, a budget says it is spent.
final class KeyGate: Sendable {
    let limits: KeyLimits
    private let limiter: RateLimiter?
    private let inFlight: InFlight
    // Always kept, with or without limits, so a gate remade for new limits goes on counting.
    private let daily: Budget
    private let monthly: Budget

    /// A key's first gate, its budgets seeded with what the key spent this day and month.
    convenience init(key: VirtualKey, spentToday: Double, spentThisMonth: Double, now: Date, logger: Logger) {
        var budgetLogger = logger
        budgetLogger[metadataKey: "key"] = "\(key.prefix)"
        func budget(_ period: Budget.Period, spent: Double) -> Budget {
            let seed = UsageRecord(timestamp: now, endpoint: "seed", model: "-", promptTokens: 0, completionTokens: 0, costUSD: spent)
            return Budget(period: period, seedFrom: [seed], logger: budgetLogger)
        }
        self.init(
            limits: key.limits, limiter: nil, inFlight: InFlight(), daily: budget(.day, spent: spentToday),
            monthly: budget(.month, spent: spentThisMonth))
    }

    /// The gate for `key`'s new limits, taking over `previous`'s spending, reservations and
    /// requests in flight (and its rate limiter while the per-minute limits are unchanged), so
    /// changing a key's limits forgets nothing it has spent or holds.
    convenience init(key: VirtualKey, replacing previous: KeyGate) {
        let sameRates = previous.limits.requestsPerMinute == key.limits.requestsPerMinute
            && previous.limits.tokensPerMinute == key.limits.tokensPerMinute
        self.init(
            limits: key.limits, limiter: sameRates ? previous.limiter : nil, inFlight: previous.inFlight, daily: previous.daily,
            monthly: previous.monthly)
    }

    private init(limits: KeyLimits, limiter: RateLimiter?, inFlight: InFlight, daily: Budget, monthly: Budget) {
        self.limits = limits
        self.limiter = limiter ?? Self.limiter(for: limits)
        self.inFlight = inFlight
        self.daily = daily
        self.monthly = monthly
        daily.setLimits(hardUSD: limits.dailyBudgetUSD, softUSD: limits.dailySoftBudgetUSD)
        monthly.setLimits(hardUSD: limits.monthlyBudgetUSD, softUSD: limits.monthlySoftBudgetUSD)
    }

    private static func limiter(for limits: KeyLimits) -> RateLimiter? {
        guard limits.requestsPerMinute != nil || limits.tokensPerMinute != nil else { return nil }
        let perMinute = limits.requestsPerMinute
        return RateLimiter(
            limits: RateLimits(
                requestsPerSecond: perMinute.map { Double($0) / 60 }, tokensPerMinute: limits.tokensPerMinute,
                requestBurst: max(1, perMinute ?? 1)),
            headroom: 1)
    }

    /// Admits one request expected to use `estimate`, or refuses it.
    func admit(_ estimate: CallEstimate) throws(GatewayFailure) -> Admission {
        let admission = Admission()
        if let maxConcurrent = limits.maxConcurrent {
            let now = inFlight.count.add(1, ordering: .relaxed).newValue
            admission.inFlight = inFlight
            if now > maxConcurrent {
                admission.finish(record: nil)
                throw GatewayFailure.keyLimit(
                    "This key already has \(maxConcurrent) requests in flight, its limit.", retryAfter: nil, code: "concurrency")
            }
        }
        if let limiter {
            do {
                admission.permit = try limiter.acquireNow(tokens: estimate.promptTokens + estimate.completionTokens)
            } catch {
                admission.finish(record: nil)
                throw GatewayFailure.keyLimit(
                    "This key's requests-per-minute or tokens-per-minute limit is reached.", retryAfter: (error as? MistralError)?.retryAfter,
                    code: "rate")
            }
        }
        let cost = estimate.costUSD ?? 0
        for budget in [daily, monthly] {
            do {
                if let reservation = try budget.reserve(estimateUSD: cost, tags: [:]) { admission.reservations.append(reservation) }
            } catch {
                admission.finish(record: nil)
                throw GatewayFailure.budget(budget.period, (error as? MistralError)?.message ?? "\(error)")
            }
        }
        return admission
    }

    /// Whether a soft budget limit has been crossed (sent to the caller as a header).
    var softLimitCrossed: Bool {
        [daily, monthly].contains { budget in
            let status = budget.status
            return status.softLimitUSD.map { status.spentUSD >= $0 } ?? false
        }
    }

    /// What is left of the tightest hard budget, for metrics; `nil` without one.
    var budgetRemainingUSD: Double? {
        [daily, monthly].compactMap { budget -> Double? in
            let status = budget.status
            guard let hard = status.hardLimitUSD else { return nil }
            return hard - status.spentUSD - status.reservedUSD
        }.min()
    }

}

/// A key's requests in flight, shared by its gates across limit changes.
final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}

/// What one admitted request holds until it ends: its place among the key's requests in
/// flight, its rate-limit permit and its budget reservations.
final class Admission: @unchecked Sendable {
    // Set once in `KeyGate.admit`, read once in `finish`: never touched concurrently.
    fileprivate var inFlight: InFlight?
    fileprivate var permit: RateLimiter.Permit?
    fileprivate var reservations: [Budget.Reservation] = []
    private let finished = Atomic<Bool>(false)

    /// Settles with the request's usage record (its real tokens and cost), or releases
    /// everything when the upstream used nothing. Later calls are ignored.
    func finish(record: UsageRecord?) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        permit?.reconcile(actualTokens: record?.totalTokens ?? 0)
        for reservation in reservations { reservation.commit(actualUSD: record?.costUSD ?? 0) }
        inFlight?.count.subtract(1, ordering: .relaxed)
    }

    deinit { finish(record: nil) }
}
