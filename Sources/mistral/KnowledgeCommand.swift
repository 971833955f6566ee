import ArgumentParser
import Foundation
import MistralChat
import MistralKit

/// `mistral kb`: create knowledge bases, add documents, search them.
struct KnowledgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb", abstract: "Knowledge bases: create one, add documents (text, Markdown, HTML), search it.",
        subcommands: [Create.self, Add.self, Search.self, List.self], defaultSubcommand: List.self)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a knowledge base.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "Its name.") var name: String
        @Option(name: .customLong("embedding-model"), help: "The embedding model.") var embeddingModel = "mistral-embed"
        @Option(name: .customLong("chunk-tokens"), help: "Tokens per chunk.") var chunkTokens = 300
        @Option(name: .customLong("overlap-tokens"), help: "Tokens shared by consecutive chunks.") var overlapTokens = 50

        func validate() throws {
            if chunkTokens < 16 { throw ValidationError("--chunk-tokens must be at least 16.") }
            if overlapTokens < 0 || overlapTokens * 2 > chunkTokens { throw ValidationError("--overlap-tokens must be 0 to half of --chunk-tokens.") }
        }

        func run() async throws {
            try await storage.withStore { store in
                let base = KnowledgeBase(name: name, embeddingModel: embeddingModel, chunkTokens: chunkTokens, overlapTokens: overlapTokens)
                try await KnowledgeService.create(base, in: store)
            }
            Terminal.write("created \(name)\n")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List knowledge bases and their documents.")
        @OptionGroup var storage: DatabaseOptions

        func run() async throws {
            try await storage.withStore { store in
                let bases = try await store.knowledgeBases()
                if bases.isEmpty { Terminal.write("No knowledge bases. Create one with: mistral kb create NAME\n") }
                for base in bases {
                    let documents = try await store.documents(knowledgeBase: base.name)
                    Terminal.write("\(base.name)  \(documents.count) documents, \(documents.reduce(0) { $0 + $1.chunkCount }) chunks  \(base.embeddingModel)\n")
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or update documents; unchanged ones cost nothing.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The knowledge base.") var name: String
        @Argument(help: "Files: .txt, .md, .html.") var paths: [String]

        func validate() throws {
            if paths.isEmpty { throw ValidationError("Name at least one file to add.") }
        }

        func run() async throws {
            try await storage.withStore { store in
                try await connection.withClient { client in
                    let service = KnowledgeService(client: client, store: store)
                    var failures = 0
                    for path in paths {
                        let url = URL(fileURLWithPath: path)
                        do {
                            let report = try await service.ingest(file: url, into: name) { progress in
                                ProgressBar.show(label: url.lastPathComponent, progress)
                            }
                            ProgressBar.clear()
                            Terminal.write("\(report.outcome.rawValue)  \(path)  (\(report.chunks) chunks)\n")
                        } catch let error as ChatEngineError where error.kind == .unreadableDocument {
                            ProgressBar.clear()
                            Terminal.error("error: \(error)")
                            failures += 1
                        }
                    }
                    if failures > 0 { throw ExitCode(1) }
                }
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The chunks that best answer a query.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The knowledge base.") var name: String
        @Argument(help: "The query.") var query: String
        @Option(help: "How many chunks.") var limit = 5
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if limit < 1 || limit > 100 { throw ValidationError("--limit must be 1 to 100.") }
        }

        func run() async throws {
            let results = try await storage.withStore { store in
                try await connection.withClient { client in try await KnowledgeService(client: client, store: store).search(query, in: name, limit: limit) }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Terminal.write(String(decoding: try encoder.encode(results), as: UTF8.self) + "\n")
                return
            }
            if results.isEmpty { Terminal.write("No match.\n") }
            for (rank, result) in results.enumerated() {
                Terminal.write("[\(rank + 1)] \(result.title) (\(result.source))\n    \(result.text.replacingOccurrences(of: "\n", with: " ").prefix(200))\n")
            }
        }
    }
}

/// A one-line progress bar on stderr, only when stderr is a terminal.
enum ProgressBar {
    static var enabled: Bool { isatty(STDERR_FILENO) != 0 }

    static func show(label: String, _ progress: BatchProgress) {
        guard enabled else { return }
        let width = 30
        let filled = Int((progress.fraction * Double(width)).rounded())
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(progress.finished)/\(progress.total) batches  \(label)".utf8))
    }

    static func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
