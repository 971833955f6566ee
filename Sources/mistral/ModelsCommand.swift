import ArgumentParser
import Foundation
import MistralKit

/// `mistral models`: list, show or delete models.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the models your key can use, or show or delete one.",
        subcommands: [List.self, Show.self, Delete.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List models.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await connection.withClient { client in
                try connection.showCurl(try client.prepare(.GET, "/v1/models", body: Optional<JSONValue>.none))
                let models = try await client.listModels()
                if json {
                    Terminal.write(try Terminal.json(ModelList(data: models)) + "\n")
                    return
                }
                let width = max(2, models.map(\.id.count).max() ?? 0)
                Terminal.write("ID".padding(toLength: width, withPad: " ", startingAt: 0) + "  CONTEXT  CAPABILITIES                ALIASES\n")
                for model in models {
                    let context = model.maxContextLength.map(String.init) ?? "-"
                    Terminal.write(
                        model.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                            + context.padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
                            + Self.capabilities(model).padding(toLength: 26, withPad: " ", startingAt: 0) + " "
                            + (model.aliases ?? []).joined(separator: ",") + "\n")
                }
            }
        }

        static func capabilities(_ model: ModelCard) -> String {
            let c = model.capabilities
            let flags: [(Bool, String)] = [
                (c.completionChat, "chat"), (c.completionFIM, "fim"), (c.functionCalling, "tools"), (c.reasoning, "reasoning"),
                (c.vision, "vision"), (c.ocr, "ocr"), (c.classification, "classification"), (c.moderation, "moderation"),
                (c.audio, "audio"), (c.fineTuning, "fine-tuning"),
            ]
            let names = flags.filter(\.0).map(\.1)
            return names.isEmpty ? "-" : names.joined(separator: ",")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model as JSON.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Model id.") var id: String

        func run() async throws {
            try await connection.withClient { client in
                Terminal.write(try Terminal.json(try await client.retrieveModel(id: id)) + "\n")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a fine-tuned model.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Model id.") var id: String

        func run() async throws {
            try await connection.withClient { client in
                let deleted = try await client.deleteModel(id: id)
                Terminal.write(deleted.deleted ? "deleted \(deleted.id)\n" : "not deleted: \(deleted.id)\n")
            }
        }
    }
}
