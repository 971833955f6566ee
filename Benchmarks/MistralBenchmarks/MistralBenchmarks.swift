import Foundation

// `swift run -c release mistral-bench [decode] [overhead] [own] [ratelimit] [retrieval]`: decoding
// costs, client overhead against the emulator (`own`: only MistralKit's own work, in memory), and the 100-over-20 requests/s rate-limit scenario (about four
// minutes). Without arguments, decode and overhead. Prints each result and a Markdown table for
// BENCHMARKS.md. `mistral-bench load --url URL ...` is the open-loop load generator
// (`mistral-bench load --help`; Load/LoadCommand.swift), a command of its own with its own flags;
// `mistral-bench conversations --url URL --key KEY` drives concurrent conversations through a
// Conversations API (Conversations/ConversationsLoadCommand.swift).
@main
struct MistralBenchmarks {
    static func main() async throws {
        if CommandLine.arguments.dropFirst().first == "load" {
            await LoadCommand.main(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        if CommandLine.arguments.dropFirst().first == "conversations" {
            await ConversationsLoadCommand.main(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        var report = Report()
        var suites = Set(CommandLine.arguments.dropFirst())
        if suites.isEmpty { suites = ["decode", "overhead"] }
        if let unknown = suites.subtracting(["decode", "overhead", "own", "ratelimit", "retrieval"]).first {
            FileHandle.standardError.write(Data("unknown benchmark '\(unknown)': use decode, overhead, own, ratelimit, retrieval, or load with its options\n".utf8))
            exit(2)
        }
        if suites.contains("decode") { try await DecodeBenchmarks.run(report: &report) }
        if suites.contains("overhead") { try await ClientOverheadBenchmark.run(report: &report) }
        if suites.contains("own") && !suites.contains("overhead") { try await ClientOverheadBenchmark.runInMemory(report: &report) }
        if suites.contains("ratelimit") { try await RateLimitScenario.run(report: &report) }
        if suites.contains("retrieval") { try await RetrievalBenchmark.run(report: &report) }
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        print()
        print(report.markdown(machine: "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Date())"))
    }
}
