import ArgumentParser
import MistralKit

/// `mistral complete`: fill-in-the-middle code completion with Codestral.
struct CompleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete", abstract: "Complete code between a prompt and an optional suffix (FIM).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The code before the gap.")
    var prompt: String

    @Option(help: "The code after the gap.")
    var suffix: String?

    @Option(help: "Model id.")
    var model = "codestral-latest"

    @Option(help: "Sampling temperature.")
    var temperature: Double?

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate.")
    var maxTokens: Int?

    @Flag(name: .customLong("no-stream"), help: "Wait for the whole completion instead of streaming it.")
    var noStream = false

    @Flag(help: "Print the raw response as JSON (one chunk per line when streaming).")
    var json = false

    func validate() throws {
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1, got \(maxTokens).") }
    }

    func run() async throws {
        var request = FIMCompletionRequest(model: model, prompt: prompt, suffix: suffix, temperature: temperature, maxTokens: maxTokens)
        try await connection.withClient { client in
            request.stream = !noStream
            try connection.showCurl(try client.prepare(.POST, "/v1/fim/completions", body: request, streaming: !noStream))
            if noStream {
                let response = try await client.fim(request)
                Terminal.write(json ? try Terminal.json(response) + "\n" : response.text + "\n")
                return
            }
            _ = try await Terminal.printStream(try await client.fimStream(request), json: json)
        }
    }
}
