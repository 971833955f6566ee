import ArgumentParser
import Foundation
import MistralGatewayCore

/// The limit flags `mistral keys create` and `mistral keys update` share. Each takes a value, or
/// `none` to remove that limit; a flag not given leaves it as it is.
struct KeyLimitOptions: ParsableArguments {
    @Option(help: "Requests per minute, or none.") var rpm: LimitSetting<Int>?
    @Option(help: "Prompt plus completion tokens per minute, or none.") var tpm: LimitSetting<Int>?
    @Option(name: .customLong("max-concurrent"), help: "Requests in flight at once, or none.") var maxConcurrent: LimitSetting<Int>?
    @Option(name: .customLong("daily-budget"), help: "Hard daily budget in USD (requests that would cross it are refused), or none.")
    var dailyBudget: LimitSetting<Double>?
    @Option(name: .customLong("monthly-budget"), help: "Hard monthly budget in USD, or none.") var monthlyBudget: LimitSetting<Double>?
    @Option(name: .customLong("daily-soft-budget"), help: "Daily USD past which requests are flagged, not refused; or none.")
    var dailySoftBudget: LimitSetting<Double>?
    @Option(name: .customLong("monthly-soft-budget"), help: "Monthly USD past which requests are flagged, not refused; or none.")
    var monthlySoftBudget: LimitSetting<Double>?
    @Option(help: "The models the key may call, comma-separated; none for all.") var models: LimitSetting<String>?
    @Option(help: "interactive or batch: the key's place in the upstream queue.") var priority: RequestPriority?
    @Option(name: .customLong("expires-in-days"), help: "Days until the key stops working, or none for never.")
    var expiresInDays: LimitSetting<Int>?

    /// True when no flag was given.
    var isEmpty: Bool {
        rpm == nil && tpm == nil && maxConcurrent == nil && dailyBudget == nil && monthlyBudget == nil && dailySoftBudget == nil
            && monthlySoftBudget == nil && models == nil && priority == nil && expiresInDays == nil
    }

    func validate() throws {
        for (flag, setting) in [("--rpm", rpm), ("--tpm", tpm), ("--max-concurrent", maxConcurrent), ("--expires-in-days", expiresInDays)] {
            if let value = setting?.value, value < 1 { throw ValidationError("\(flag) must be at least 1 (or none).") }
        }
        for (flag, setting) in [
            ("--daily-budget", dailyBudget), ("--monthly-budget", monthlyBudget), ("--daily-soft-budget", dailySoftBudget),
            ("--monthly-soft-budget", monthlySoftBudget),
        ] {
            if let value = setting?.value, !(value > 0 && value.isFinite) { throw ValidationError("\(flag) must be a positive amount of USD (or none).") }
        }
        if let list = models?.value, Self.modelList(list).isEmpty { throw ValidationError("--models needs at least one model name (or none).") }
    }

    /// `key` with the given flags applied; `now` starts the expiry.
    func applied(to key: VirtualKey, now: Date) -> VirtualKey {
        var key = key
        if let rpm { key.limits.requestsPerMinute = rpm.value }
        if let tpm { key.limits.tokensPerMinute = tpm.value }
        if let maxConcurrent { key.limits.maxConcurrent = maxConcurrent.value }
        if let dailyBudget { key.limits.dailyBudgetUSD = dailyBudget.value }
        if let monthlyBudget { key.limits.monthlyBudgetUSD = monthlyBudget.value }
        if let dailySoftBudget { key.limits.dailySoftBudgetUSD = dailySoftBudget.value }
        if let monthlySoftBudget { key.limits.monthlySoftBudgetUSD = monthlySoftBudget.value }
        if let models { key.limits.models = models.value.map(Self.modelList) }
        if let priority { key.limits.priority = priority }
        if let expiresInDays { key.expiresAt = expiresInDays.value.map { now.addingTimeInterval(Double($0) * 86_400) } }
        return key
    }

    static func modelList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// A limit flag's value: a value, or `none` to remove the limit.
enum LimitSetting<Value: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable {
    case set(Value)
    case cleared

    init?(argument: String) {
        if argument == "none" {
            self = .cleared
        } else if let value = Value(argument: argument) {
            self = .set(value)
        } else {
            return nil
        }
    }

    /// The value, or `nil` for `none`.
    var value: Value? {
        if case .set(let value) = self { value } else { nil }
    }
}

extension RequestPriority: ExpressibleByArgument {}
