import Foundation

// `swift run -c release mistral-bench`: decoding costs, then client overhead against the
// emulator. Prints each result and a Markdown table for BENCHMARKS.md.
@main
struct MistralBenchmarks {
    static func main() async throws {
        var report = Report()
        try await DecodeBenchmarks.run(report: &report)
        try await ClientOverheadBenchmark.run(report: &report)
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        print()
        print(report.markdown(machine: "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Date())"))
    }
}
