import ArgumentParser
import MistralKit

/// `mistral embed TEXT...`: embedding vectors, one per text.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Embed texts (arguments, or one per line on stdin).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Texts to embed. Without any, lines are read from stdin.")
    var texts: [String] = []

    @Option(help: "Model id.")
    var model = "mistral-embed"

    @Option(help: "Vector length, for models that allow choosing it.")
    var dimension: Int?

    @Option(help: "Element type: float, int8, uint8, binary or ubinary.")
    var dtype: String?

    @Option(help: "Wire encoding: float or base64 (decoded either way).")
    var encoding: String?

    @Flag(help: "Print the whole response as JSON.")
    var json = false

    func validate() throws {
        if let dtype, !["float", "int8", "uint8", "binary", "ubinary"].contains(dtype) {
            throw ValidationError("Unknown --dtype '\(dtype)': use float, int8, uint8, binary or ubinary.")
        }
        if let encoding, !["float", "base64"].contains(encoding) {
            throw ValidationError("Unknown --encoding '\(encoding)': use float or base64.")
        }
        if let dimension, dimension < 1 { throw ValidationError("--dimension must be positive, got \(dimension).") }
    }

    func run() async throws {
        var inputs = texts
        if inputs.isEmpty {
            while let line = readLine() {
                if !line.isEmpty { inputs.append(line) }
            }
        }
        guard !inputs.isEmpty else { throw Terminal.fail(ValidationError("Nothing to embed: pass texts or pipe lines on stdin.")) }
        let request = EmbeddingRequest(
            model: model, input: inputs, outputDimension: dimension, outputDtype: dtype.map(EmbeddingDtype.init(rawValue:)),
            encodingFormat: encoding.map(EmbeddingEncodingFormat.init(rawValue:)))
        try await connection.withClient { client in
            try connection.showCurl(try client.prepare(.POST, "/v1/embeddings", body: request))
            let response = try await client.embeddings(request)
            if json {
                Terminal.write(try Terminal.json(response) + "\n")
                return
            }
            for (index, vector) in response.vectors.enumerated() {
                let head = vector.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")
                Terminal.write("\(index)\t\(vector.count) dims\t[\(head)\(vector.count > 4 ? ", …" : "")]\n")
            }
            if let usage = response.usage { Terminal.error("\(usage.promptTokens) prompt tokens") }
        }
    }
}
