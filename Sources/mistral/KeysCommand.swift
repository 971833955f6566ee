import ArgumentParser
import Foundation
import MistralGatewayCore

/// `mistral keys`: create, list, update and revoke the gateway's virtual keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the gateway's virtual keys: limits, budgets, revocation.",
        discussion: """
            Keys live in the database named by --database, else MISTRAL_DATABASE_URL, else ~/.mistral/mistral.sqlite. \
            A key's secret is printed once, when it is created; only its SHA-256 and its first characters are stored.
            """,
        subcommands: [Create.self, List.self, Update.self, Revoke.self], defaultSubcommand: List.self)

    /// `active`, `revoked` or `expired`.
    static func state(of key: VirtualKey, at now: Date) -> String {
        key.refusal(at: now) ?? "active"
    }

    /// The limits in one line: `60 rpm, $5.00 daily, models a,b, batch`, or `none`.
    static func describe(_ limits: KeyLimits) -> String {
        var parts: [String] = []
        if let value = limits.requestsPerMinute { parts.append("\(value) rpm") }
        if let value = limits.tokensPerMinute { parts.append("\(value) tpm") }
        if let value = limits.maxConcurrent { parts.append("\(value) concurrent") }
        if let value = limits.dailyBudgetUSD { parts.append("\(money(value)) daily") }
        if let value = limits.monthlyBudgetUSD { parts.append("\(money(value)) monthly") }
        if let value = limits.dailySoftBudgetUSD { parts.append("\(money(value)) daily soft") }
        if let value = limits.monthlySoftBudgetUSD { parts.append("\(money(value)) monthly soft") }
        if let models = limits.models { parts.append("models " + models.joined(separator: ",")) }
        if limits.priority != .interactive { parts.append(limits.priority.rawValue) }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// Whole cents with two decimals, anything finer in full.
    static func money(_ value: Double) -> String {
        let cents = value * 100
        return abs(cents - cents.rounded()) < 1e-9 ? String(format: "$%.2f", value) : "$\(value)"
    }

    static func date(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? "never"
    }

    static func unknown(_ id: String) -> GatewayStoreError {
        GatewayStoreError(.notFound, "There is no key \(id).")
    }
}
