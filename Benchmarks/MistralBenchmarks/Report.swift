import Foundation

/// Collects results and prints them as the Markdown table BENCHMARKS.md records.
struct Report {
    private var rows: [(String, String, String, String)] = []

    mutating func add(_ name: String, median: String, p90: String, note: String) {
        rows.append((name, median, p90, note))
        print("\(name): median \(median), p90 \(p90) \(note)")
    }

    func markdown(machine: String) -> String {
        var text = "Machine: \(machine)\n\n| benchmark | median | p90 | note |\n|---|---|---|---|\n"
        for row in rows { text += "| \(row.0) | \(row.1) | \(row.2) | \(row.3) |\n" }
        return text
    }
}
