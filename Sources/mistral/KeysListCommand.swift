import ArgumentParser
import Foundation
import MistralGatewayCore

extension KeysCommand {
    /// `mistral keys list`: every key (of one owner), oldest first, with its state; never a secret.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys with their prefix, limits and state (never their secrets).")
        @OptionGroup var storage: DatabaseOptions
        @Option(help: "Only this owner's keys.") var owner: String?
        @Option(help: "table or json.") var format: Format = .table

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case table, json
        }

        func run() async throws {
            let keys = try await storage.withGatewayStore { try await $0.keys(owner: owner) }
            let now = Date()
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let listed = keys.map { Listing($0, now: now) }
                Terminal.write(String(decoding: try encoder.encode(listed), as: UTF8.self) + "\n")
            case .table:
                if keys.isEmpty {
                    Terminal.write("No keys. Create one with: mistral keys create --name NAME\n")
                    return
                }
                let header = ["ID", "NAME", "OWNER", "PREFIX", "STATE", "LIMITS"]
                let rows = keys.map { key in
                    [key.id, key.name, key.owner, key.prefix, KeysCommand.state(of: key, at: now), KeysCommand.describe(key.limits)]
                }
                let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
                for cells in [header] + rows {
                    let line = cells.enumerated().map { column, cell in
                        column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    }
                    Terminal.write(line.joined(separator: "  ") + "\n")
                }
            }
        }

        /// A key as `--format json` shows it: no hash, no secret; limits that are not set are left out.
        struct Listing: Encodable {
            var id, name, owner, prefix, state: String
            var limits: Limits
            var createdAt, updatedAt: String
            var expiresAt, revokedAt: String?

            struct Limits: Encodable {
                var models: [String]?
                var requestsPerMinute, tokensPerMinute, maxConcurrent: Int?
                var dailyBudgetUSD, monthlyBudgetUSD, dailySoftBudgetUSD, monthlySoftBudgetUSD: Double?
                var priority: String

                enum CodingKeys: String, CodingKey {
                    case models, priority
                    case requestsPerMinute = "requests_per_minute"
                    case tokensPerMinute = "tokens_per_minute"
                    case maxConcurrent = "max_concurrent"
                    case dailyBudgetUSD = "daily_budget_usd"
                    case monthlyBudgetUSD = "monthly_budget_usd"
                    case dailySoftBudgetUSD = "daily_soft_budget_usd"
                    case monthlySoftBudgetUSD = "monthly_soft_budget_usd"
                }
            }

            enum CodingKeys: String, CodingKey {
                case id, name, owner, prefix, state, limits
                case createdAt = "created_at"
                case updatedAt = "updated_at"
                case expiresAt = "expires_at"
                case revokedAt = "revoked_at"
            }

            init(_ key: VirtualKey, now: Date) {
                id = key.id
                name = key.name
                owner = key.owner
                prefix = key.prefix
                state = KeysCommand.state(of: key, at: now)
                let l = key.limits
                limits = Limits(
                    models: l.models, requestsPerMinute: l.requestsPerMinute, tokensPerMinute: l.tokensPerMinute, maxConcurrent: l.maxConcurrent,
                    dailyBudgetUSD: l.dailyBudgetUSD, monthlyBudgetUSD: l.monthlyBudgetUSD, dailySoftBudgetUSD: l.dailySoftBudgetUSD,
                    monthlySoftBudgetUSD: l.monthlySoftBudgetUSD, priority: l.priority.rawValue)
                createdAt = key.createdAt.formatted(.iso8601)
                updatedAt = key.updatedAt.formatted(.iso8601)
                expiresAt = key.expiresAt?.formatted(.iso8601)
                revokedAt = key.revokedAt?.formatted(.iso8601)
            }
        }
    }
}
