import ArgumentParser
import Foundation
import MistralGatewayCore
import MistralKit
import MistralStore

/// `mistral usage`: what the recorded calls used and cost, from the local usage ledger or from
/// the gateway's ledger in a database.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Report tokens and cost from the local usage ledger, or the gateway's.",
        discussion: """
            Every call made by this tool (and by any MistralKit client given the same ledger) is recorded in \
            ~/.mistral/usage.jsonl, or MISTRAL_USAGE_LEDGER. Costs use the price table in force when each call \
            was made. With --database, the report covers the gateway's requests recorded in that database \
            instead, and can be grouped by key or owner.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Option(help: "The ledger file (default: MISTRAL_USAGE_LEDGER, else ~/.mistral/usage.jsonl).")
    var ledger: String?

    @Option(help: "Report the gateway's ledger in this database (an SQLite path or a postgres:// URL) instead of the file.")
    var database: String?

    @Option(help: "Group by model, provider, day, total, key, owner, or tag:NAME.")
    var by: String = "model"

    @Option(help: "Only calls on or after this UTC date (YYYY-MM-DD).")
    var since: String?

    @Option(help: "table, csv or json.")
    var format: Format = .table

    func validate() throws {
        if Self.grouping(by) == nil {
            throw ValidationError("Cannot group by '\(by)': use model, provider, day, total, key, owner or tag:NAME.")
        }
        if let since, Self.parseDay(since) == nil { throw ValidationError("--since '\(since)' is not a date like 2026-11-01.") }
        if ledger != nil && database != nil { throw ValidationError("--ledger and --database name two different ledgers: give one.") }
    }

    /// `key` and `owner` are the tags every gateway record carries (see ``record(_:)``).
    static func grouping(_ text: String) -> UsageReport.Grouping? {
        ["key", "owner"].contains(text) ? .tag(text) : UsageReport.Grouping(text)
    }

    func run() async throws {
        let since = self.since.flatMap(Self.parseDay)
        let records: [UsageRecord]
        let source: (field: String, name: String)
        if let database {
            records = try await Self.gatewayRecords(database: database, since: since)
            source = ("database", GatewayStoreFactory.displayName(database))
        } else {
            let url = ledger.map { URL(fileURLWithPath: $0) } ?? JSONLinesUsageLedger.defaultURL(environment: ProcessInfo.processInfo.environment)
            do {
                records = try JSONLinesUsageLedger(url: url).records(since: since)
            } catch {
                throw Terminal.fail(error)
            }
            source = ("ledger", url.path)
        }
        let report = UsageReport(records: records, grouping: Self.grouping(by)!)
        let label = ["key", "owner"].contains(by) ? by : report.grouping.description
        let projection = UsageReport.monthlyProjection(records: records)
        switch format {
        case .json:
            let document: JSONValue = [
                source.field: .string(source.name), "grouping": .string(label),
                "rows": try JSONCoding.decode(JSONValue.self, from: Array(try JSONCoding.encode(report.rows))),
                "total": try JSONCoding.decode(JSONValue.self, from: Array(try JSONCoding.encode(report.total))),
                "month_spent_usd": .double(projection.spentUSD), "month_projected_usd": .double(projection.projectedUSD),
            ]
            Terminal.write(try Terminal.json(document) + "\n")
        case .csv:
            Terminal.write("\(Self.csv(label)),requests,failed,prompt_tokens,completion_tokens,cached_tokens,cost_usd,unpriced,estimated\n")
            for row in report.rows {
                Terminal.write(
                    "\(Self.csv(row.key)),\(row.requests),\(row.failed),\(row.promptTokens),\(row.completionTokens),\(row.cachedTokens),"
                        + "\(String(format: "%.6f", row.costUSD)),\(row.unpriced),\(row.estimated)\n")
            }
        case .table:
            if records.isEmpty {
                Terminal.write("No usage recorded in \(source.name).\n")
                return
            }
            let header = [label.uppercased(), "REQUESTS", "FAILED", "PROMPT", "COMPLETION", "CACHED", "COST USD"]
            let rows = (report.rows + [report.total]).map { row in
                [
                    row.key, "\(row.requests)", "\(row.failed)", "\(row.promptTokens)", "\(row.completionTokens)", "\(row.cachedTokens)",
                    String(format: "%.6f", row.costUSD) + (row.unpriced > 0 ? " (+\(row.unpriced) unpriced)" : ""),
                ]
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { column, cell in
                    column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[column] - cell.count) + cell
                }.joined(separator: "  ") + "\n"
            }
            Terminal.write(line(header))
            for row in rows.dropLast() { Terminal.write(line(row)) }
            Terminal.write(line(rows.last!))
            Terminal.write(String(format: "This month: $%.6f spent, $%.2f projected for the whole month.\n", projection.spentUSD, projection.projectedUSD))
        }
    }

    /// Every gateway ledger row at or after `since`, read page by page, as usage records.
    static func gatewayRecords(database: String, since: Date?) async throws -> [UsageRecord] {
        try await DatabaseOptions.withGatewayStore(url: database) { store in
            var records: [UsageRecord] = []
            while true {
                let page = try await store.entries(LedgerQuery(since: since, limit: LedgerQuery.maximumLimit, offset: records.count))
                records += page.map(record)
                if page.count < LedgerQuery.maximumLimit { return records }
            }
        }
    }

    /// A gateway ledger row as the report's record: the caller's tags plus `key` and `owner`
    /// (which win over a caller's tag of the same name); `-` for the provider when none answered.
    static func record(_ entry: LedgerEntry) -> UsageRecord {
        UsageRecord(
            timestamp: entry.timestamp, endpoint: entry.endpoint, model: entry.model, provider: entry.provider ?? "-", requestID: entry.id,
            promptTokens: entry.promptTokens, completionTokens: entry.completionTokens, cachedTokens: entry.cachedTokens,
            costUSD: entry.costUSD, estimated: entry.estimated, outcome: entry.outcome,
            tags: entry.tags.merging(["key": entry.keyID, "owner": entry.owner]) { _, gateway in gateway },
            latencyMilliseconds: entry.latencyMilliseconds)
    }

    static func parseDay(_ text: String) -> Date? {
        try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    static func csv(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
