import ArgumentParser

/// `mistral`: chat, complete, embed and list models against Mistral's API or any compatible
/// server, and run the offline emulator.
@main
struct Mistral: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mistral",
        abstract: "Talk to the Mistral API (or the local emulator) from the command line.",
        discussion: """
            The API key comes from --api-key or MISTRAL_API_KEY. --base-url (or MISTRAL_BASE_URL) points \
            at any Mistral-compatible server: the emulator, a gateway, or a local llama.cpp server.
            """,
        version: "0.1.0",
        subcommands: [
            ChatCommand.self, CompleteCommand.self, EmbedCommand.self, ModelsCommand.self, AgentsCommand.self, KnowledgeCommand.self,
            ConversationsCommand.self, KeysCommand.self, UsageCommand.self, TokensCommand.self, ServeCommand.self, EmulateCommand.self,
        ]
    )
}
