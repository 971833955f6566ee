import ArgumentParser
import Foundation
import MistralChat

/// `mistral conversations`: list, show and export stored conversations.
struct ConversationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations", abstract: "List, show or export stored conversations.",
        subcommands: [List.self, Show.self, Export.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A user's conversations, latest activity first.")
        @OptionGroup var storage: DatabaseOptions
        @Option(help: "The user.") var user: String
        @Option(help: "Only this session.") var session: String?
        @Option(help: "How many.") var limit = 20
        @Option(help: "How many to skip.") var offset = 0

        func validate() throws {
            if limit < 1 || limit > ConversationService.maximumPageSize {
                throw ValidationError("--limit must be 1 to \(ConversationService.maximumPageSize).")
            }
            if offset < 0 { throw ValidationError("--offset must be 0 or more.") }
        }

        func run() async throws {
            let conversations = try await storage.withStore {
                try await ConversationService(store: $0).list(userID: user, sessionID: session, limit: limit, offset: offset)
            }
            if conversations.isEmpty { Terminal.write("No conversations for \(user).\n") }
            for conversation in conversations {
                Terminal.write(
                    "\(conversation.id)  session \(conversation.sessionID)  agent \(conversation.agentName ?? "-")  "
                        + "updated \(conversation.updatedAt.formatted(.iso8601))\n")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A conversation's entries, readable.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The conversation id.") var id: String

        func run() async throws {
            let entries = try await storage.withStore { try await ConversationService(store: $0).history(conversationID: id) }
            for entry in entries {
                let who =
                    switch entry.kind {
                    case .input: "user"
                    case .output: "assistant"
                    case .functionCall: "tool call \(entry.toolName ?? "")"
                    case .functionResult: "tool result \(entry.toolName ?? "")"
                    }
                let status = entry.status == .complete ? "" : " [\(entry.status.rawValue)\(entry.error.map { ": \($0)" } ?? "")]"
                Terminal.write("\(who)\(status): \(entry.content)\n")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A conversation and its entries as JSON.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The conversation id.") var id: String

        struct Document: Encodable {
            var conversation: Conversation
            var entries: [ConversationEntry]
        }

        func run() async throws {
            let (conversation, entries) = try await storage.withStore { store in
                (try await ConversationService(store: store).conversation(id: id), try await store.entries(conversationID: id))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            Terminal.write(String(decoding: try encoder.encode(Document(conversation: conversation, entries: entries)), as: UTF8.self) + "\n")
        }
    }
}
