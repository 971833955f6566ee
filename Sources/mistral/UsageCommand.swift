import ArgumentParser
import Foundation
import MistralKit

/// `mistral usage`: what the recorded calls used and cost, from the local usage ledger.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Report tokens and cost from the local usage ledger.",
        discussion: """
            Every call made by this tool (and by any MistralKit client given the same ledger) is recorded in \
            ~/.mistral/usage.jsonl, or MISTRAL_USAGE_LEDGER. Costs use the price table in force when each call \
            was made.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Option(help: "The ledger file (default: MISTRAL_USAGE_LEDGER, else ~/.mistral/usage.jsonl).")
    var ledger: String?

    @Option(help: "Group by model, provider, day, total, or tag:NAME.")
    var by: String = "model"

    @Option(help: "Only calls on or after this UTC date (YYYY-MM-DD).")
    var since: String?

    @Option(help: "table, csv or json.")
    var format: Format = .table

    func validate() throws {
        if UsageReport.Grouping(by) == nil {
            throw ValidationError("Cannot group by '\(by)': use model, provider, day, total or tag:NAME.")
        }
        if let since, Self.parseDay(since) == nil { throw ValidationError("--since '\(since)' is not a date like 2026-11-01.") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let url = ledger.map { URL(fileURLWithPath: $0) } ?? JSONLinesUsageLedger.defaultURL(environment: environment)
        let records: [UsageRecord]
        do {
            records = try JSONLinesUsageLedger(url: url).records(since: since.flatMap(Self.parseDay))
        } catch {
            throw Terminal.fail(error)
        }
        let report = UsageReport(records: records, grouping: UsageReport.Grouping(by)!)
        let projection = UsageReport.monthlyProjection(records: records)
        switch format {
        case .json:
            let document: JSONValue = [
                "ledger": .string(url.path), "grouping": .string(report.grouping.description),
                "rows": try JSONCoding.decode(JSONValue.self, from: Array(try JSONCoding.encode(report.rows))),
                "total": try JSONCoding.decode(JSONValue.self, from: Array(try JSONCoding.encode(report.total))),
                "month_spent_usd": .double(projection.spentUSD), "month_projected_usd": .double(projection.projectedUSD),
            ]
            Terminal.write(try Terminal.json(document) + "\n")
        case .csv:
            Terminal.write("\(Self.csv(report.grouping.description)),requests,failed,prompt_tokens,completion_tokens,cached_tokens,cost_usd,unpriced,estimated\n")
            for row in report.rows {
                Terminal.write(
                    "\(Self.csv(row.key)),\(row.requests),\(row.failed),\(row.promptTokens),\(row.completionTokens),\(row.cachedTokens),"
                        + "\(String(format: "%.6f", row.costUSD)),\(row.unpriced),\(row.estimated)\n")
            }
        case .table:
            if records.isEmpty {
                Terminal.write("No usage recorded in \(url.path).\n")
                return
            }
            let header = [report.grouping.description.uppercased(), "REQUESTS", "FAILED", "PROMPT", "COMPLETION", "CACHED", "COST USD"]
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

    static func parseDay(_ text: String) -> Date? {
        try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    static func csv(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
