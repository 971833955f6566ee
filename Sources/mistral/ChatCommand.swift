import ArgumentParser
import Foundation
import MistralChat
import MistralKit

/// `mistral chat [PROMPT]`: one streamed answer, or an interactive session without a prompt.
/// With `--user` and `--session`, the stored conversation of that user and session goes on.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Ask a chat model. Without a prompt, start an interactive session (/reset clears it, /exit or EOF ends it).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The message to send. Omit it for an interactive session.")
    var prompt: String?

    @Option(help: "Model id.")
    var model = "mistral-small-latest"

    @Option(help: "System prompt.")
    var system: String?

    @Option(help: "Sampling temperature (0 to 1.5).")
    var temperature: Double?

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate.")
    var maxTokens: Int?

    @Flag(name: .customLong("no-stream"), help: "Wait for the whole answer instead of streaming it.")
    var noStream = false

    @Flag(help: "Print the raw response as JSON (one chunk per line when streaming).")
    var json = false

    @Option(help: "Continue this user's stored conversation (with --session).")
    var user: String?

    @Option(help: "The user's session whose conversation continues (with --user).")
    var session: String?

    @Option(help: "The stored agent (persona) that answers (with --user and --session).")
    var agent: String?

    @Option(help: "A running `mistral serve` to keep the conversation (with --user and --session; --api-key is a gateway key, --agent an agent id there) instead of a local database.")
    var gateway: String?

    @OptionGroup var storage: DatabaseOptions

    func validate() throws {
        if let temperature, !(0...1.5).contains(temperature) {
            throw ValidationError("--temperature must be between 0 and 1.5, got \(temperature).")
        }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1, got \(maxTokens).") }
        if let prompt, prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("The prompt is empty.")
        }
        if (user == nil) != (session == nil) { throw ValidationError("--user and --session go together.") }
        if agent != nil, user == nil { throw ValidationError("--agent needs --user and --session.") }
        if gateway != nil, user == nil { throw ValidationError("--gateway needs --user and --session.") }
        if gateway != nil, storage.database != nil { throw ValidationError("Use either --gateway or --database, not both.") }
        if user != nil {
            if prompt == nil { throw ValidationError("A stored conversation needs a PROMPT.") }
            if json { throw ValidationError("--json is not available with --user and --session.") }
            if system != nil { throw ValidationError("--system is not available with --user and --session: store an agent with instructions.") }
        }
    }

    func run() async throws {
        if let gateway, let user, let session, let prompt {
            guard let key = connection.apiKey ?? ProcessInfo.processInfo.environment["MISTRAL_API_KEY"], !key.isEmpty else {
                throw Terminal.fail(MistralError(kind: .configuration, message: "--gateway needs a gateway key: --api-key or MISTRAL_API_KEY."))
            }
            do {
                let id = try await ServiceChat(base: gateway, key: key, timeout: .seconds(Int64(connection.timeout)))
                    .send(prompt, user: user, session: session, agent: agent, model: model, stream: !noStream)
                if connection.verbose { Terminal.error("conversation \(id)") }
            } catch {
                throw Terminal.fail(error)
            }
            return
        }
        if let user, let session, let prompt {
            try await continueStored(prompt, user: user, session: session)
            return
        }
        var history: [ChatMessage] = system.map { [.system($0)] } ?? []
        try await connection.withClient { client in
            guard let prompt else {
                try await interactive(client, history: history)
                return
            }
            history.append(.user(prompt))
            _ = try await answer(client, history)
        }
    }

    /// One turn of a stored conversation, printed as it streams and stored when it ends.
    private func continueStored(_ prompt: String, user: String, session: String) async throws {
        try await storage.withStore { store in
            try await connection.withClient { client in
                let engine = ChatEngine(client: client, store: store, defaultModel: model)
                let conversation = try await engine.conversation(userID: user, sessionID: session, agentName: agent)
                if connection.verbose { Terminal.error("conversation \(conversation.id)") }
                if noStream {
                    Terminal.write(try await engine.send(prompt, conversationID: conversation.id).answer + "\n")
                    return
                }
                var printed = false
                do {
                    for try await event in try await engine.stream(prompt, conversationID: conversation.id) {
                        if case .delta(let piece) = event {
                            Terminal.write(piece)
                            printed = true
                        }
                    }
                    Terminal.write("\n")
                } catch {
                    if printed { Terminal.write("\n") }
                    throw error
                }
            }
        }
    }

    private func request(_ messages: [ChatMessage]) -> ChatCompletionRequest {
        ChatCompletionRequest(model: model, messages: messages, temperature: temperature, maxTokens: maxTokens)
    }

    /// Sends `messages`, prints the answer, and returns it for the history.
    private func answer(_ client: MistralClient, _ messages: [ChatMessage]) async throws -> AssistantMessage {
        let request = request(messages)
        try connection.showCurl(try client.prepare(.POST, "/v1/chat/completions", body: streamed(request), streaming: !noStream))
        if noStream {
            let response = try await client.chat(request)
            Terminal.write(json ? try Terminal.json(response) + "\n" : response.text + "\n")
            return response.message ?? AssistantMessage(content: .text(response.text))
        }
        let accumulator = try await Terminal.printStream(try await client.chatStream(request), json: json)
        return accumulator.response.message ?? AssistantMessage()
    }

    private func streamed(_ request: ChatCompletionRequest) -> ChatCompletionRequest {
        var request = request
        request.stream = !noStream
        return request
    }

    private func interactive(_ client: MistralClient, history start: [ChatMessage]) async throws {
        var history = start
        let prompt = Terminal.stdinIsTerminal
        if prompt { Terminal.error("Chatting with \(model). /reset clears the conversation, /exit or Ctrl-D ends it.") }
        while true {
            if prompt { Terminal.write("you> ") }
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text == "/exit" || text == "/quit" { break }
            if text == "/reset" {
                history = start
                Terminal.error("(conversation cleared)")
                continue
            }
            history.append(.user(text))
            do {
                let reply = try await answer(client, history)
                history.append(.assistant(reply))
            } catch let error as MistralError {
                // One failed turn does not end the session; the user's line is dropped from history.
                history.removeLast()
                Terminal.error("error: \(error)")
            }
        }
    }
}
