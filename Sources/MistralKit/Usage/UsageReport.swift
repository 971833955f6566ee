import Foundation

/// Usage and cost summed by model, provider, day or tag, with a monthly projection:
/// what `mistral usage` prints.
public struct UsageReport: Sendable, Hashable {
    /// How records are grouped.
    public enum Grouping: Sendable, Hashable, CustomStringConvertible {
        case model
        case provider
        /// By UTC day (`2026-11-25`).
        case day
        /// By the value of one tag (records without it fall under `-`).
        case tag(String)
        /// One row for everything.
        case total

        public var description: String {
            switch self {
            case .model: "model"
            case .provider: "provider"
            case .day: "day"
            case .tag(let name): "tag:\(name)"
            case .total: "total"
            }
        }

        /// Parses `model`, `provider`, `day`, `total` or `tag:NAME`.
        public init?(_ text: String) {
            switch text {
            case "model": self = .model
            case "provider": self = .provider
            case "day": self = .day
            case "total": self = .total
            default:
                guard text.hasPrefix("tag:"), text.count > 4 else { return nil }
                self = .tag(String(text.dropFirst(4)))
            }
        }
    }

    /// One group's totals.
    public struct Row: Sendable, Hashable, Codable {
        public var key: String
        public var requests: Int
        public var failed: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var cachedTokens: Int
        /// Cost of the records whose price is known.
        public var costUSD: Double
        /// Records whose model has no price (their cost is not in ``costUSD``).
        public var unpriced: Int
        /// Records with estimated token counts.
        public var estimated: Int

        enum CodingKeys: String, CodingKey {
            case key, requests, failed
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case cachedTokens = "cached_tokens"
            case costUSD = "cost_usd"
            case unpriced, estimated
        }
    }

    public var grouping: Grouping
    /// Rows sorted by cost, highest first.
    public var rows: [Row]
    public var total: Row

    /// Groups `records`.
    public init(records: [UsageRecord], grouping: Grouping) {
        self.grouping = grouping
        var rows: [String: Row] = [:]
        var total = Row.empty("total")
        for record in records {
            let key: String
            switch grouping {
            case .model: key = record.model
            case .provider: key = record.provider
            case .day: key = Self.day(record.timestamp)
            case .tag(let name): key = record.tags[name] ?? "-"
            case .total: key = "total"
            }
            rows[key, default: .empty(key)].add(record)
            total.add(record)
        }
        self.rows = rows.values.sorted { ($0.costUSD, $1.key) > ($1.costUSD, $0.key) }
        self.total = total
    }

    /// The month's spend so far extrapolated to the whole calendar month (UTC) of `now`, from
    /// `records` of that month: spend ÷ elapsed fraction of the month.
    public static func monthlyProjection(records: [UsageRecord], now: Date = Date()) -> (spentUSD: Double, projectedUSD: Double) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let month = calendar.dateInterval(of: .month, for: now) else { return (0, 0) }
        let spent = records.filter { month.contains($0.timestamp) && $0.timestamp <= now }.reduce(0) { $0 + ($1.costUSD ?? 0) }
        let elapsed = max(now.timeIntervalSince(month.start), 3600)
        return (spent, spent * month.duration / elapsed)
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle().year().month().day())
    }
}

extension UsageReport.Row {
    static func empty(_ key: String) -> Self {
        Self(key: key, requests: 0, failed: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUSD: 0, unpriced: 0, estimated: 0)
    }

    mutating func add(_ record: UsageRecord) {
        requests += 1
        if record.outcome != "ok" { failed += 1 }
        promptTokens += record.promptTokens
        completionTokens += record.completionTokens
        cachedTokens += record.cachedTokens
        if let cost = record.costUSD { costUSD += cost } else { unpriced += 1 }
        if record.estimated { estimated += 1 }
    }
}
