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
    private let inFlight = Atomic<Int>(0)
    private let daily: Budget?
    private let monthly: Budget?

    /// A gate for `key`, its budgets seeded with what the key spent this day and month.
    init(key: VirtualKey, spentToday: Double, spentThisMonth: Double, now: Date, logger: Logger) {
        let limits = key.limits
        self.limits = limits
        if limits.requestsPerMinute != nil || limits.tokensPerMinute != nil {
            let perMinute = limits.requestsPerMinute
            limiter = RateLimiter(
                limits: RateLimits(
                    requestsPerSecond: perMinute.map { Double($0) / 60 }, tokensPerMinute: limits.tokensPerMinute,
                    requestBurst: max(1, perMinute ?? 1)),
                headroom: 1)
        } else {
            limiter = nil
        }
        func budget(_ hard: Double?, _ soft: Double?, _ period: Budget.Period, spent: Double) -> Budget? {
            guard hard != nil || soft != nil else { return nil }
            let seed = UsageRecord(timestamp: now, endpoint: "seed", model: "-", promptTokens: 0, completionTokens: 0, costUSD: spent)
            var budgetLogger = logger
            budgetLogger[metadataKey: "key"] = "\(key.prefix)"
            return Budget(hardLimitUSD: hard, softLimitUSD: soft, period: period, seedFrom: [seed], logger: budgetLogger)
        }
        daily = budget(limits.dailyBudgetUSD, limits.dailySoftBudgetUSD, .day, spent: spentToday)
        monthly = budget(limits.monthlyBudgetUSD, limits.monthlySoftBudgetUSD, .month, spent: spentThisMonth)
    }

    /// Admits one request expected to use `estimate`, or refuses it.
    func admit(_ estimate: CallEstimate) throws(GatewayFailure) -> Admission {
        let admission = Admission()
        if let maxConcurrent = limits.maxConcurrent {
            let now = inFlight.add(1, ordering: .relaxed).newValue
            admission.gate = self
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
        for budget in [daily, monthly].compactMap({ $0 }) {
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
            guard let budget else { return false }
            let status = budget.status
            return status.softLimitUSD.map { status.spentUSD >= $0 } ?? false
        }
    }

    /// What is left of the tightest hard budget, for metrics; `nil` without one.
    var budgetRemainingUSD: Double? {
        [daily, monthly].compactMap { budget -> Double? in
            guard let budget, let hard = budget.hardLimitUSD else { return nil }
            let status = budget.status
            return hard - status.spentUSD - status.reservedUSD
        }.min()
    }

    fileprivate func leave() { inFlight.subtract(1, ordering: .relaxed) }
}

/// What one admitted request holds until it ends: its place among the key's requests in
/// flight, its rate-limit permit and its budget reservations.
final class Admission: @unchecked Sendable {
    // Set once in `KeyGate.admit`, read once in `finish`: never touched concurrently.
    fileprivate var gate: KeyGate?
    fileprivate var permit: RateLimiter.Permit?
    fileprivate var reservations: [Budget.Reservation] = []
    private let finished = Atomic<Bool>(false)

    /// Settles with the request's usage record (its real tokens and cost), or releases
    /// everything when the upstream used nothing. Later calls are ignored.
    func finish(record: UsageRecord?) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        permit?.reconcile(actualTokens: record?.totalTokens ?? 0)
        for reservation in reservations { reservation.commit(actualUSD: record?.costUSD ?? 0) }
        gate?.leave()
    }

    deinit { finish(record: nil) }
}
