import ArgumentParser
import Logging
import MistralEmulator

/// `mistral emulate`: serve the offline Mistral emulator until SIGINT or SIGTERM.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run the offline Mistral API emulator (for tests, offline development and load tests).",
        discussion: """
            Point any client at it: mistral chat --base-url http://127.0.0.1:8080 --api-key test "Hi". \
            Faults can also be chosen per request with the header \(EmulatorFault.headerName), e.g. status=503, \
            status=429&retry-after=2, reset-before-headers, reset-after-headers, cut-stream-after=3, malformed-json, hang.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(name: .customLong("api-key"), help: "An accepted API key (repeatable). Without any, every non-empty key is accepted.")
    var apiKeys: [String] = []

    @Option(help: "Requests per second before answering 429.")
    var rps: Double?

    @Option(help: "Tokens per minute before answering 429.")
    var tpm: Int?

    @Option(name: .customLong("ttft-ms"), help: "Milliseconds before the first token.")
    var timeToFirstTokenMs = 0

    @Option(name: .customLong("token-ms"), help: "Milliseconds per further token.")
    var perTokenMs = 0

    @Option(name: .customLong("fault"), help: "A fault for the next request, in header syntax (repeatable; used in order).")
    var faults: [String] = []

    @Flag(help: "Log every request to stderr.")
    var verbose = false

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535, got \(port).") }
        if let rps, rps <= 0 { throw ValidationError("--rps must be positive.") }
        if let tpm, tpm <= 0 { throw ValidationError("--tpm must be positive.") }
        if timeToFirstTokenMs < 0 || perTokenMs < 0 { throw ValidationError("Latencies must not be negative.") }
        for fault in faults {
            do {
                _ = try EmulatorFault(headerValue: fault)
            } catch {
                throw ValidationError("Bad --fault '\(fault)': \(error)")
            }
        }
    }

    func run() async throws {
        Terminal.bootstrapLogging()
        var logger = Logger(label: "mistral-emulator")
        logger.logLevel = verbose ? .debug : .warning
        let configuration = EmulatorConfiguration(
            host: host, port: port, acceptedAPIKeys: apiKeys.isEmpty ? nil : Set(apiKeys),
            latency: EmulatorLatency(timeToFirstToken: .milliseconds(timeToFirstTokenMs), perToken: .milliseconds(perTokenMs)),
            rateLimits: EmulatorRateLimits(requestsPerSecond: rps, tokensPerMinute: tpm),
            faultSchedule: try faults.map(EmulatorFault.init(headerValue:)), logger: logger)
        let host = host
        do {
            try await MistralEmulator(configuration: configuration).run(host: host, port: port) { bound in
                Terminal.write("Mistral emulator listening on http://\(host):\(bound)\n")
            }
        } catch {
            throw Terminal.fail(error)
        }
    }
}
