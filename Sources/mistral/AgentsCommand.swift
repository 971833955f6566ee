import ArgumentParser
import Foundation
import MistralChat
import MistralKit

/// `mistral agents`: create, list, show and delete stored personas.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "Manage stored agents (personas): model, instructions, tone, settings.",
        subcommands: [Create.self, List.self, Show.self, Delete.self], defaultSubcommand: List.self)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agent, or a new version of it.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The agent's name.") var name: String
        @Option(help: "Model id.") var model = "mistral-small-latest"
        @Option(help: "Instructions (the system prompt).") var instructions = ""
        @Option(help: "formal, casual, or your own tone instructions.") var tone: String?
        @Option(help: "Sampling temperature (0 to 1.5).") var temperature: Double?
        @Option(name: .customLong("max-tokens"), help: "Most tokens per answer.") var maxTokens: Int?
        @Option(name: .customLong("context-tokens"), help: "Token budget for instructions and history.") var contextTokens = 8000
        @Option(name: .customLong("keep-turns"), help: "Latest turns always kept in the prompt.") var keepTurns = 2
        @Flag(name: .customLong("summarize-older-turns"), help: "Summarise turns that no longer fit, with the agent's model, instead of only counting them.")
        var summarizeOlderTurns = false
        @Flag(name: .customLong("moderate-input"), help: "Refuse messages Mistral's moderation flags.") var moderateInput = false
        @Flag(name: .customLong("moderate-output"), help: "Replace answers Mistral's moderation flags.") var moderateOutput = false
        @Option(name: .customLong("refusal"), help: "What to say when moderation flags a message.") var refusal = "I'm sorry, I can't help with that request."
        @Option(name: .customLong("kb"), help: "A knowledge base to answer from (repeatable).") var knowledgeBases: [String] = []

        func validate() throws {
            if name.isEmpty || name.count > 100 || name.contains(where: { $0.isWhitespace }) {
                throw ValidationError("An agent name is 1 to 100 characters without spaces.")
            }
            if let temperature, !(0...1.5).contains(temperature) { throw ValidationError("--temperature must be between 0 and 1.5.") }
            if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1.") }
            if contextTokens < 100 { throw ValidationError("--context-tokens must be at least 100.") }
            if keepTurns < 1 { throw ValidationError("--keep-turns must be at least 1.") }
        }

        func run() async throws {
            let tone: Agent.Tone? = tone.map { $0 == "formal" ? .formal : $0 == "casual" ? .casual : .custom($0) }
            let guardrails =
                moderateInput || moderateOutput
                ? Agent.Guardrails(moderateInput: moderateInput, moderateOutput: moderateOutput, refusalMessage: refusal) : nil
            let agent = Agent(
                name: name, model: model, instructions: instructions, tone: tone, temperature: temperature, maxTokens: maxTokens,
                context: .init(budgetTokens: contextTokens, keepLatestTurns: keepTurns, summarizeOlderTurns: summarizeOlderTurns), guardrails: guardrails, knowledgeBases: knowledgeBases)
            let saved = try await storage.withStore { try await $0.saveAgent(agent) }
            Terminal.write("\(saved.name) version \(saved.version)\n")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agents (latest versions).")
        @OptionGroup var storage: DatabaseOptions

        func run() async throws {
            let agents = try await storage.withStore { try await $0.agents() }
            if agents.isEmpty {
                Terminal.write("No agents. Create one with: mistral agents create NAME --instructions \"...\"\n")
                return
            }
            for agent in agents { Terminal.write("\(agent.name)  v\(agent.version)  \(agent.model)  \(agent.instructions.prefix(60))\n") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one agent as JSON.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The agent's name.") var name: String
        @Option(help: "A version (default: the latest).") var version: Int?

        func run() async throws {
            let agent = try await storage.withStore { store -> Agent in
                guard let agent = try await store.agent(name: name, version: version) else {
                    throw ChatEngineError(.unknownAgent, "There is no agent '\(name)'\(version.map { " version \($0)" } ?? "").")
                }
                return agent
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            Terminal.write(String(decoding: try encoder.encode(agent), as: UTF8.self) + "\n")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete every version of an agent.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The agent's name.") var name: String

        func run() async throws {
            let deleted = try await storage.withStore { try await $0.deleteAgent(name: name) }
            if !deleted { throw Terminal.fail(ChatEngineError(.unknownAgent, "There is no agent '\(name)'.")) }
            Terminal.write("deleted \(name)\n")
        }
    }
}
