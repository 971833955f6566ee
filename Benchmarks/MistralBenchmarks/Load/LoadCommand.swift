import ArgumentParser
import Foundation

/// `mistral-bench load`: an open-loop load test of a Mistral-compatible chat completions
/// endpoint (the emulator, a gateway in front of it, another proxy), or N streams held open.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mistral-bench load",
        abstract: "Offer a fixed rate of chat completions to a Mistral-compatible server and report latency percentiles.",
        discussion: """
            Open loop: requests start on a fixed schedule, \"rate\" per second evenly spaced, whether or not earlier \
            ones have answered. Latency is counted from each request's scheduled start, so queueing anywhere (server, \
            connection pool, generator) shows in it. Start lateness (actual minus scheduled start) is reported; a run \
            whose p99 lateness exceeds --max-lateness-ms is marked invalid. Latencies are of 2xx answers only; \
            everything else is counted as an error. With --concurrent-streams N, N streams are opened at --rate per \
            second and each is replaced as soon as it ends, until the run's end (for memory tests: make the upstream slow).
            """)

    @Option(help: "The server's base URL, with or without /v1 (e.g. http://127.0.0.1:8080).")
    var url: String

    @Option(help: "The API key sent as Authorization: Bearer.")
    var key = "bench-key"

    @Option(help: "Requests started per second (open loop), or streams opened per second with --concurrent-streams.")
    var rate: Double = 100

    @Option(help: "Seconds measured, after the warm-up.")
    var duration: Double = 10

    @Option(help: "Seconds sent at the same rate before measuring (not counted). Default: 1, or the ramp with --concurrent-streams.")
    var warmup: Double?

    @Flag(help: "Ask for a streamed answer (SSE); also times the first event.")
    var stream = false

    @Option(help: "The model requested.")
    var model = "mistral-small-latest"

    @Option(name: .customLong("max-tokens"), help: "The request's max_tokens.")
    var maxTokens = 16

    @Option(help: "The user message (the emulator answers this default one with a fixed short sentence).")
    var prompt = "What is the capital of France?"

    @Option(help: "A name for the run in the output (e.g. direct, gateway, litellm).")
    var label = ""

    @Option(help: "Seconds a request may take from its scheduled start before it counts as a timeout.")
    var timeout: Double = 10

    @Option(help: "HTTP/1 connections the client may open to the server.")
    var connections = 1000

    @Option(help: "Event-loop threads of the generator.")
    var threads = 1

    @Option(name: .customLong("max-lateness-ms"), help: "The p99 start lateness above which the run is invalid.")
    var maxLatenessMs: Double = 5

    @Option(name: .customLong("concurrent-streams"), help: "Hold this many streams open instead of offering a rate (implies --stream).")
    var concurrentStreams: Int?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard URL(string: url)?.host != nil else { throw ValidationError("--url must be an absolute URL, got '\(url)'.") }
        if rate <= 0 { throw ValidationError("--rate must be positive.") }
        if duration <= 0 || (warmup ?? 0) < 0 || timeout <= 0 { throw ValidationError("--duration and --timeout must be positive, --warmup not negative.") }
        if connections < 1 || threads < 1 { throw ValidationError("--connections and --threads must be at least 1.") }
        if let concurrentStreams, concurrentStreams < 1 { throw ValidationError("--concurrent-streams must be at least 1.") }
    }

    func run() async throws {
        let schedule: LoadPlan.Schedule
        let warmupSeconds: Double
        if let concurrentStreams {
            schedule = .concurrentStreams(count: concurrentStreams, rampPerSecond: rate)
            warmupSeconds = warmup ?? (Double(concurrentStreams) / rate).rounded(.up)
        } else {
            schedule = .openLoop(perSecond: rate)
            warmupSeconds = warmup ?? 1
        }
        let plan = LoadPlan(
            url: url, apiKey: key, schedule: schedule, warmup: .seconds(warmupSeconds), duration: .seconds(duration),
            streaming: stream || concurrentStreams != nil, model: model, maxTokens: maxTokens, prompt: prompt,
            timeout: .seconds(timeout), connections: connections, threads: threads, maximumLateness: .milliseconds(maxLatenessMs))
        let summary = LoadSummary(try await LoadGenerator.run(plan), label: label)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text, terminator: "")
        }
    }
}
