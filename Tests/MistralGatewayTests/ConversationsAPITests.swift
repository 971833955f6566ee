import Foundation
import MistralChat
import MistralEmulator
import MistralGateway
import MistralGatewayCore
import MistralKit
import MistralStore
import MistralTestSupport
import Testing

/// The Conversations and Agents API: the official SDK against it on SQLite and PostgreSQL,
/// owner isolation, billing of turns to the key, failed turns and bad input over raw HTTP.
struct ConversationsAPITests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let postgresURL = ProcessInfo.processInfo.environment["MISTRALKIT_POSTGRES_URL"]
    static let required = ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"
    static let backends: [Backend] = postgresURL != nil || required ? [.sqlite, .postgres] : [.sqlite]
    static let question = #"{"model":"mistral-small-latest","inputs":"What is the capital of France?"}"#

    /// A gateway with a chat store of `backend` and two keys of two owners unique to the run
    /// (the PostgreSQL database outlives runs): `mine` and `theirs`.
    func withChatGateway(
        _ backend: Backend, emulator configuration: EmulatorConfiguration = EmulatorConfiguration(),
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        _ body: (GatewayWorld, MistralEmulator, String, String, any ChatStore) async throws -> Void
    ) async throws {
        let run = UUID().uuidString.prefix(8).lowercased()
        let (mine, theirs) = ("mine-\(run)", "theirs-\(run)")
        try await withTemporaryDirectory { directory in
            let opened: ChatStoreFactory.Opened =
                switch backend {
                case .sqlite: try await ChatStoreFactory.open(directory.appendingPathComponent("chat.sqlite").path)
                case .postgres: try await ChatStoreFactory.open(try #require(Self.postgresURL))
                }
            do {
                try await withEmulator(configuration: configuration) { emulatorURL, emulator in
                    try await withGateway(
                        upstream: emulatorURL, keys: [mine: KeyLimits(), theirs: KeyLimits()], chatStore: opened.store, configure: configure
                    ) { world in
                        try await body(world, emulator, mine, theirs, opened.store)
                    }
                }
            } catch {
                await opened.close()
                throw error
            }
            await opened.close()
        }
    }

    @Test(
        .enabled(if: ProcessRunner.peersPythonShouldRun, "the peers venv is not installed (scripts/setup-peers.sh)"), arguments: backends)
    func theOfficialSDKsConversationsAndAgentsWork(_ backend: Backend) async throws {
        let python = try #require(try ProcessRunner.peersPython())
        let script = ProcessRunner.packageRoot.appendingPathComponent("scripts/conversations_sdk_test.py").path
        try await withChatGateway(backend) { world, emulator, mine, theirs, _ in
            let result = try await ProcessRunner.run(python, [script, world.baseURL, world.secret(mine), world.secret(theirs)], timeout: .seconds(120))
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("9 passed, 0 failed"), "\(result.stdout)")
            // Every model call a turn or an upload made (chat, embeddings) is a ledger row under the key that asked for it.
            let key = try #require(world.keys[mine])
            #expect(await eventually {
                let rows = (try? await world.store.entries(LedgerQuery(keyID: key.id))) ?? []
                let chats = rows.filter { $0.endpoint.hasPrefix("conversations chat") }.count
                let embeddings = rows.filter { $0.endpoint.hasSuffix(" embeddings") }.count
                return chats == emulator.requestLog.requests(path: "/v1/chat/completions").count
                    && embeddings == emulator.requestLog.requests(path: "/v1/embeddings").count
            })
        }
    }

    /// A turn whose model call fails is stored failed, shown so in the history, and run again
    /// by an append without inputs; the upstream's error reaches the caller.
    @Test(arguments: backends)
    func aFailedTurnIsVisibleAndRetriedByAnEmptyAppend(_ backend: Backend) async throws {
        try await withChatGateway(backend, emulator: EmulatorConfiguration(faultSchedule: [.status(500)])) { world, _, mine, _, _ in
            let key = world.secret(mine)
            let failed = try await sendRaw("POST", world.baseURL + "/v1/conversations", body: Self.question, apiKey: key)
            #expect(failed.status == 500, "\(failed.text)")
            #expect(failed.header("x-mistralkit-error-source") == "upstream")
            let list = try await sendRaw("GET", world.baseURL + "/v1/conversations", apiKey: key)
            let id = try #require(list.json?[0]?["id"]?.stringValue)
            let history = try await sendRaw("GET", world.baseURL + "/v1/conversations/\(id)/history", apiKey: key)
            #expect(history.json?["entries"]?[1]?["status"] == "failed")
            let retried = try await sendRaw("POST", world.baseURL + "/v1/conversations/\(id)", body: #"{"stream":false}"#, apiKey: key)
            #expect(retried.status == 200, "\(retried.text)")
            #expect(retried.json?["outputs"]?[0]?["content"] == "The capital of France is Paris.")
            let after = try await sendRaw("GET", world.baseURL + "/v1/conversations/\(id)/history", apiKey: key)
            #expect(after.json?["entries"]?.arrayValue?.count == 2)
            #expect(after.json?["entries"]?[1]?["status"] == nil)
        }
    }

    /// End users: a token from the key's backend lets a browser start and continue its own
    /// conversations only; another user's token, an expired, forged or revoked key's token is
    /// refused, and a token opens nothing but the Conversations API.
    @Test(arguments: backends)
    func anEndUserSeesOnlyTheirOwnConversations(_ backend: Backend) async throws {
        try await withChatGateway(backend) { world, _, mine, theirs, chatStore in
            let base = world.baseURL
            func token(_ user: String, key: String? = nil, ttl: Int = 600) async throws -> String {
                let minted = try await sendRaw(
                    "POST", base + "/v1/end_user_tokens", body: #"{"user":"\#(user)","session":"web","ttl_seconds":\#(ttl)}"#,
                    apiKey: key ?? world.secret(mine))
                return try #require(minted.json?["token"]?.stringValue, "\(minted.text)")
            }
            let alice = try await token("alice")
            let bob = try await token("bob")
            let started = try await sendRaw("POST", base + "/v1/conversations", body: Self.question, apiKey: alice)
            #expect(started.status == 200, "\(started.text)")
            let id = try #require(started.json?["conversation_id"]?.stringValue)
            #expect(try await sendRaw("POST", base + "/v1/conversations/\(id)", body: #"{"inputs":"And then?"}"#, apiKey: alice).status == 200)
            // Bob, and the other owner's key, see nothing of it.
            for path in ["/v1/conversations/\(id)", "/v1/conversations/\(id)/history", "/v1/conversations/\(id)/messages"] {
                #expect(try await sendRaw("GET", base + path, apiKey: bob).status == 404)
                #expect(try await sendRaw("GET", base + path, apiKey: world.secret(theirs)).status == 404)
            }
            #expect(try await sendRaw("POST", base + "/v1/conversations/\(id)", body: #"{"inputs":"Hi"}"#, apiKey: bob).status == 404)
            #expect(try await sendRaw("GET", base + "/v1/conversations", apiKey: bob).json == .array([]))
            #expect(try await sendRaw("GET", base + "/v1/conversations", apiKey: alice).json?.arrayValue?.count == 1)
            // The owner's key sees its users' conversations, stored under the user and session.
            #expect(try await sendRaw("GET", base + "/v1/conversations/\(id)", apiKey: world.secret(mine)).status == 200)
            let stored = try #require(try await chatStore.conversation(id: id))
            #expect(stored.userID == "alice" && stored.sessionID == "web")
            // A token opens nothing else, and cannot mint tokens.
            #expect(try await sendRaw("POST", base + "/v1/chat/completions", body: #"{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}]}"#, apiKey: alice).status == 403)
            #expect(try await sendRaw("POST", base + "/v1/agents", body: #"{"model":"mistral-small-latest","name":"x"}"#, apiKey: alice).status == 403)
            #expect(try await sendRaw("POST", base + "/v1/end_user_tokens", body: #"{"user":"eve"}"#, apiKey: alice).status == 403)
            // Forged, expired, another owner's signature: 401.
            let parts = alice.dropFirst(4).split(separator: ".")
            let forgedPayload = EndUserTokensForTests.base64URL(
                #"{"k":"\#(world.keys[mine]!.id)","o":"owner-\#(mine)","u":"bob","exp":9999999999}"#)
            #expect(try await sendRaw("GET", base + "/v1/conversations", apiKey: "mkt_\(forgedPayload).\(parts[1])").status == 401)
            #expect(try await sendRaw("GET", base + "/v1/conversations", apiKey: "mkt_garbage").status == 401)
            let expiring = try await token("alice", ttl: 1)
            try await Task.sleep(for: .milliseconds(2100))
            let expired = try await sendRaw("GET", base + "/v1/conversations", apiKey: expiring)
            #expect(expired.status == 401 && expired.text.contains("expired"), "\(expired.text)")
            // Bad requests for a token: 422.
            #expect(try await sendRaw("POST", base + "/v1/end_user_tokens", body: #"{"user":""}"#, apiKey: world.secret(mine)).status == 422)
            #expect(try await sendRaw("POST", base + "/v1/end_user_tokens", body: #"{"user":"a","ttl_seconds":999999}"#, apiKey: world.secret(mine)).status == 422)
            // Revoking the key revokes its tokens (within a key refresh).
            var key = try #require(world.keys[mine])
            key.revokedAt = Date()
            key.updatedAt = Date()
            try await world.store.updateKey(key)
            #expect(await eventually { (try? await sendRaw("GET", base + "/v1/conversations", apiKey: alice).status) == 401 })
        }
    }

    /// A library: documents uploaded as multipart files are read, chunked and embedded during the
    /// upload; an agent with the `document_library` tool answers from them with `tool_reference`
    /// citations; a binary file is refused and stores nothing; another owner sees none of it.
    @Test(arguments: backends)
    func aLibrarysDocumentsAreCitedByAnAgentThatUsesIt(_ backend: Backend) async throws {
        try await withChatGateway(backend) { world, emulator, mine, theirs, _ in
            let base = world.baseURL
            let key = world.secret(mine)
            let created = try await sendRaw("POST", base + "/v1/libraries", body: #"{"name":"FAQ","description":"Help centre"}"#, apiKey: key)
            #expect(created.status == 201, "\(created.text)")
            let library = try #require(created.json?["id"]?.stringValue)
            func upload(_ name: String, _ type: String, _ content: String) async throws -> RawHTTPResponse {
                let boundary = "----mistralkit-test-boundary"
                let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n"
                    + content + "\r\n--\(boundary)--\r\n"
                return try await sendRaw(
                    "POST", base + "/v1/libraries/\(library)/documents", body: body, apiKey: key,
                    headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
            }
            let shipping = try await upload(
                "shipping.md", "text/markdown", "# Shipping\nStandard delivery takes 3 to 5 business days. Express delivery arrives the next day.")
            #expect(shipping.status == 201, "\(shipping.text)")
            #expect(shipping.json?["process_status"] == "done" && shipping.json?["name"] == "shipping.md")
            #expect(try await upload("returns.md", "text/markdown", "# Returns\nReturn any item within 30 days for a full refund.").status == 201)
            let binary = try await upload("photo.bin", "application/octet-stream", "\u{0}\u{1}\u{2}\u{0}binary\u{0}")
            #expect(binary.status == 422, "\(binary.text)")
            // A file over the body limit (16 MiB by default): 413, before it is read.
            let huge = try await upload("huge.md", "text/markdown", String(repeating: "delivery ", count: 2_000_000))
            #expect(huge.status == 413, "\(huge.status)")
            let documents = try await sendRaw("GET", base + "/v1/libraries/\(library)/documents", apiKey: key)
            #expect(documents.json?["data"]?.arrayValue?.count == 2)
            #expect(documents.json?["pagination"]?["total_items"] == 2)
            let documentID = try #require(shipping.json?["id"]?.stringValue)
            let text = try await sendRaw("GET", base + "/v1/libraries/\(library)/documents/\(documentID)/text_content", apiKey: key)
            #expect(text.json?["text"]?.stringValue?.contains("Standard delivery") == true)
            #expect(try await sendRaw("GET", base + "/v1/libraries/\(library)/documents/\(documentID)/status", apiKey: key).json?["process_status"] == "done")
            #expect(try await sendRaw("GET", base + "/v1/libraries/\(library)", apiKey: key).json?["nb_documents"] == 2)
            // An agent answering from the library cites it.
            let agent = try await sendRaw(
                "POST", base + "/v1/agents",
                body: #"{"model":"mistral-small-latest","name":"Support","tools":[{"type":"document_library","library_ids":["\#(library)"]}]}"#,
                apiKey: key)
            #expect(agent.status == 200, "\(agent.text)")
            #expect(agent.json?["tools"]?[0]?["library_ids"]?[0]?.stringValue == library)
            let agentID = try #require(agent.json?["id"]?.stringValue)
            let answer = try await sendRaw(
                "POST", base + "/v1/conversations", body: #"{"agent_id":"\#(agentID)","inputs":"What are the delivery options?"}"#, apiKey: key)
            #expect(answer.status == 200, "\(answer.text)")
            let content = try #require(answer.json?["outputs"]?[0]?["content"]?.arrayValue)
            #expect(content.first?["type"] == "text")
            #expect(content.dropFirst().contains { $0["type"] == "tool_reference" && $0["title"] == "Shipping" }, "\(content)")
            #expect(emulator.requestLog.requests(path: "/v1/embeddings").count >= 3)
            // Another owner sees none of it and cannot use it.
            let other = world.secret(theirs)
            #expect(try await sendRaw("GET", base + "/v1/libraries/\(library)", apiKey: other).status == 404)
            #expect(try await sendRaw("GET", base + "/v1/libraries", apiKey: other).json?["data"] == .array([]))
            #expect(try await sendRaw("GET", base + "/v1/libraries/\(library)/documents", apiKey: other).status == 404)
            let borrowed = try await sendRaw(
                "POST", base + "/v1/agents",
                body: #"{"model":"mistral-small-latest","name":"x","tools":[{"type":"document_library","library_ids":["\#(library)"]}]}"#,
                apiKey: other)
            #expect(borrowed.status == 404)
            // Deleting a document, then the library.
            #expect(try await sendRaw("DELETE", base + "/v1/libraries/\(library)/documents/\(documentID)", apiKey: key).status == 204)
            #expect(try await sendRaw("GET", base + "/v1/libraries/\(library)/documents/\(documentID)", apiKey: key).status == 404)
            #expect(try await sendRaw("DELETE", base + "/v1/libraries/\(library)", apiKey: key).status == 200)
            #expect(try await sendRaw("GET", base + "/v1/libraries/\(library)", apiKey: key).status == 404)
        }
    }

    /// `store: false` answers and keeps nothing but the cost; an agent's guardrails go upstream
    /// with every call of its turns, for the upstream to enforce; a turn's own completion_args
    /// change that turn's call only.
    @Test func storeFalseKeepsNothingAndGuardrailsGoUpstream() async throws {
        try await withChatGateway(.sqlite) { world, emulator, mine, _, _ in
            let key = world.secret(mine)
            let base = world.baseURL
            for stream in [false, true] {
                let body = #"{"model":"mistral-small-latest","inputs":"What is the capital of France?","store":false,"stream":\#(stream)}"#
                let answer = try await sendRaw("POST", base + "/v1/conversations", body: body, apiKey: key)
                #expect(answer.status == 200, "\(answer.text)")
                let id = try #require(
                    stream
                        ? eventData(answer.body).compactMap { try? JSONParser.parse(Array($0.utf8)) }.first?["conversation_id"]?.stringValue
                        : answer.json?["conversation_id"]?.stringValue)
                #expect(await eventually { (try? await sendRaw("GET", base + "/v1/conversations/\(id)", apiKey: key).status) == 404 })
            }
            #expect(try await sendRaw("GET", base + "/v1/conversations", apiKey: key).json == .array([]))
            let keyID = try #require(world.keys[mine]?.id)
            #expect(await eventually { ((try? await world.store.entries(LedgerQuery(keyID: keyID))) ?? []).count == 2 })
            let guardrails = #"[{"block_on_error":true,"moderation_llm_v1":{"custom_category_thresholds":{"violence_and_threats":0.2}}}]"#
            let agent = try await sendRaw(
                "POST", base + "/v1/agents", body: #"{"model":"mistral-small-latest","name":"Guarded","tone":"formal","guardrails":\#(guardrails)}"#,
                apiKey: key)
            #expect(agent.status == 200, "\(agent.text)")
            #expect(agent.json?["tone"] == "formal")
            #expect(agent.json?["guardrails"]?[0]?["block_on_error"] == true)
            let agentID = try #require(agent.json?["id"]?.stringValue)
            let turn = try await sendRaw("POST", base + "/v1/conversations", body: #"{"agent_id":"\#(agentID)","inputs":"Hi"}"#, apiKey: key)
            #expect(turn.status == 200, "\(turn.text)")
            let sent = try #require(emulator.requestLog.requests(path: "/v1/chat/completions").last?.json)
            #expect(sent["guardrails"]?[0]?["block_on_error"] == true, "\(sent)")
            // The agent's tone is in its system prompt.
            #expect(sent["messages"]?[0]?["content"]?.stringValue?.contains("formal") == true, "\(sent)")
            // completion_args on an append change that turn's call only.
            let conversationID = try #require(turn.json?["conversation_id"]?.stringValue)
            let tuned = try await sendRaw(
                "POST", base + "/v1/conversations/\(conversationID)", body: #"{"inputs":"Again","completion_args":{"max_tokens":7,"top_p":0.5}}"#,
                apiKey: key)
            #expect(tuned.status == 200, "\(tuned.text)")
            let tunedCall = try #require(emulator.requestLog.requests(path: "/v1/chat/completions").last?.json)
            #expect(tunedCall["max_tokens"] == 7 && tunedCall["top_p"] == 0.5, "\(tunedCall)")
            _ = try await sendRaw("POST", base + "/v1/conversations/\(conversationID)", body: #"{"inputs":"Once more"}"#, apiKey: key)
            let plain = try #require(emulator.requestLog.requests(path: "/v1/chat/completions").last?.json)
            #expect(plain["max_tokens"] == nil && plain["top_p"] == nil, "\(plain)")
        }
    }

    /// A declared function the server has a tool for runs on the server; with
    /// `handoff_execution: client` it goes back to the caller like any other.
    @Test func aServerToolRunsOnTheServerUnlessTheCallerRunsFunctions() async throws {
        let tool = ChatTool(
            name: "order_status", description: "The status of an order.", parameters: ["type": "object", "properties": ["order_id": ["type": "string"]]],
            handler: .swift { _ in "Order 4412: shipped." })
        try await withChatGateway(.sqlite, configure: { $0.chatTools = [tool] }) { world, _, mine, _, _ in
            let function = #"{"type":"function","function":{"name":"order_status","parameters":{"type":"object","properties":{"order_id":{"type":"string"}}}}}"#
            let body = #"{"model":"mistral-small-latest","inputs":"What is the order status of 4412?","tools":[\#(function)]"#
            let served = try await sendRaw("POST", world.baseURL + "/v1/conversations", body: body + "}", apiKey: world.secret(mine))
            #expect(served.json?["outputs"]?[0]?["type"] == "message.output", "\(served.text)")
            #expect(served.json?["outputs"]?[0]?["content"]?.stringValue?.contains("shipped") == true, "\(served.text)")
            let returned = try await sendRaw(
                "POST", world.baseURL + "/v1/conversations", body: body + #","handoff_execution":"client"}"#, apiKey: world.secret(mine))
            #expect(returned.json?["outputs"]?[0]?["type"] == "function.call", "\(returned.text)")
        }
    }

    /// Bad input gets Mistral's 422 (with `detail`) or a 404, and nothing is stored.
    @Test func badInputIsRefusedAndStoresNothing() async throws {
        try await withChatGateway(.sqlite) { world, emulator, mine, _, _ in
            let key = world.secret(mine)
            let url = world.baseURL + "/v1/conversations"
            let cases: [(String, Int)] = [
                (#"{"model":"mistral-small-latest","inputs":"  "}"#, 422),
                (#"{"model":"mistral-small-latest"}"#, 422),
                (#"{"inputs":"Hi"}"#, 422),
                (#"{"model":"mistral-small-latest","inputs":"Hi","colour":"blue"}"#, 422),
                (#"{"model":"mistral-small-latest","inputs":"Hi","tools":[{"type":"web_search"}]}"#, 422),
                (#"{"agent_id":"ag_nobody","inputs":"Hi"}"#, 404),
                (#"not json"#, 422),
            ]
            for (body, status) in cases {
                let response = try await sendRaw("POST", url, body: body, apiKey: key)
                #expect(response.status == status, "\(body): \(response.text)")
                if status == 422 { #expect(response.json?["detail"]?[0]?["msg"] != nil, "\(response.text)") }
            }
            let extra = try await sendRaw("POST", url, body: #"{"model":"mistral-small-latest","inputs":"Hi","colour":"blue"}"#, apiKey: key)
            #expect(extra.json?["detail"]?[0]?["type"] == "extra_forbidden")
            #expect(try await sendRaw("GET", url, apiKey: key).json == .array([]))
            #expect(emulator.requestLog.count == 0)
            #expect(try await sendRaw("GET", url, apiKey: "not-a-key").status == 401)
        }
    }
}

/// Base64url without padding, as end-user tokens use it (to forge one in a test).
enum EndUserTokensForTests {
    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
