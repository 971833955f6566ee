import Foundation
import Hummingbird
import MistralChat
import MistralGatewayCore
import MistralKit

/// Mistral's Agents API over MistralChat's versioned agents: create, list, get (a version),
/// update (a new version), delete, and list or get versions. An agent belongs to the owner of
/// the key that made it; other owners get a 404 for it.
struct AgentsHandler: Sendable {
    let conversations: ConversationsHandler
    private var store: any ChatStore { conversations.engine.store }
    private var relay: RelayHandler { conversations.relay }

    /// Mistral's fields, and `tone` (this server's: `formal`, `casual` or instructions of one's own).
    static let createFields: Set<String> = [
        "model", "name", "instructions", "tools", "completion_args", "guardrails", "description", "handoffs", "metadata", "version_message", "tone",
    ]
    static let updateFields = createFields.union(["deployment_chat"])

    /// `POST /v1/agents`.
    func create(_ request: Request) async -> Response {
        await conversations.withKey(request) { key, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: Self.createFields)
            let model = fields.string("model", required: true)
            let name = fields.string("name", required: true)
            var agent = Agent(name: Self.newID(), model: model ?? "", instructions: fields.string("instructions") ?? "")
            agent.owner = key.owner
            agent.displayName = name
            agent.description = fields.string("description")
            let libraries = Self.read(&fields, into: &agent)
            try fields.check()
            guard key.allows(model: agent.model) else { throw GatewayFailure.modelNotAllowed(agent.model) }
            if let libraries { agent.knowledgeBases = try await conversations.ownedLibraries(libraries, key: key) }
            let saved = try await store.saveAgent(agent)
            return .json(ConversationWire.agent(saved, versions: [saved.version], firstCreated: saved.createdAt), headers: relay.requestHeaders(requestID))
        }
    }

    /// `PATCH /v1/agents/{id}`: the fields given merged into the latest version, saved as a new one.
    func update(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            var fields = try RequestFields(try await relay.collectBody(request), allowed: Self.updateFields)
            var agent = try await conversations.ownedAgent(id, reference: nil, key: key)
            if let model = fields.string("model") { agent.model = model }
            if let name = fields.string("name") { agent.displayName = name }
            if let instructions = fields.string("instructions") { agent.instructions = instructions }
            if let description = fields.string("description") { agent.description = description }
            if fields.bool("deployment_chat") == true { fields.refuse("deployment_chat", "Le Chat deployment does not exist on this server.") }
            let libraries = Self.read(&fields, into: &agent)
            try fields.check()
            guard key.allows(model: agent.model) else { throw GatewayFailure.modelNotAllowed(agent.model) }
            if let libraries { agent.knowledgeBases = try await conversations.ownedLibraries(libraries, key: key) }
            agent.createdAt = Date()
            let saved = try await store.saveAgent(agent)
            // The new version is the active one.
            _ = try await store.deleteAgentAlias(name: id, alias: ConversationService.activeAlias)
            return try await answer(saved, requestID: requestID)
        }
    }

    /// `GET /v1/agents?page=&page_size=`: the owner's agents (each at its active version), newest
    /// first, as a bare array.
    func list(_ request: Request) async -> Response {
        await conversations.withKey(request) { key, requestID in
            let query = request.uri.queryParameters
            let page = max(0, query["page"].flatMap { Int(String($0)) } ?? 0)
            let size = min(1000, max(1, query["page_size"].flatMap { Int(String($0)) } ?? 20))
            let owned = try await store.agents().filter { $0.owner == key.owner }.sorted { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }
            var shown: [JSONValue] = []
            for latest in owned.dropFirst(page * size).prefix(size) {
                let first = try await store.agent(name: latest.name, version: 1)
                let active = try await conversations.ownedAgent(latest.name, reference: nil, key: key)
                shown.append(ConversationWire.agent(active, versions: Array(1...latest.version), firstCreated: first?.createdAt ?? latest.createdAt))
            }
            return .json(.array(shown), headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/agents/{id}[?agent_version=N or an alias]`: the active version without one.
    func get(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            let reference = request.uri.queryParameters["agent_version"].map { JSONValue.string(String($0)) }
            return try await answer(try await conversations.ownedAgent(id, reference: reference, key: key), requestID: requestID)
        }
    }

    /// `PATCH /v1/agents/{id}/version?version=N`: version N becomes the active one.
    func activate(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            guard let text = request.uri.queryParameters["version"], let number = Int(String(text)), number >= 0 else {
                throw GatewayFailure.validation(["detail": [RequestFields.issue(["query", "version"], "Field required: a version number from 0", "missing", input: nil)]])
            }
            let agent = try await conversations.ownedAgent(id, version: number + 1, key: key)
            _ = try await store.setAgentAlias(name: id, alias: ConversationService.activeAlias, version: agent.version)
            return try await answer(agent, requestID: requestID)
        }
    }

    /// `PUT /v1/agents/{id}/aliases?alias=A&version=N`: alias A names version N (created or moved).
    func setAlias(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            let query = request.uri.queryParameters
            let alias = query["alias"].map(String.init) ?? ""
            guard Self.isAliasName(alias), let number = query["version"].flatMap({ Int(String($0)) }), number >= 0 else {
                throw GatewayFailure.validation([
                    "detail": [RequestFields.issue(["query", "alias"], "alias (letters, digits, _ . -, at most 64) and version (from 0) are required", "value_error", input: nil)]
                ])
            }
            _ = try await conversations.ownedAgent(id, version: number + 1, key: key)
            let saved = try await store.setAgentAlias(name: id, alias: alias, version: number + 1)
            return .json(Self.alias(saved), headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/agents/{id}/aliases`.
    func aliases(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await conversations.ownedAgent(id, version: nil, key: key)
            let aliases = try await store.agentAliases(name: id).filter { $0.alias != ConversationService.activeAlias }
            return .json(.array(aliases.map(Self.alias)), headers: relay.requestHeaders(requestID))
        }
    }

    /// `DELETE /v1/agents/{id}/aliases?alias=A`: 204.
    func deleteAlias(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await conversations.ownedAgent(id, version: nil, key: key)
            let alias = request.uri.queryParameters["alias"].map(String.init) ?? ""
            guard Self.isAliasName(alias), try await store.deleteAgentAlias(name: id, alias: alias) else {
                throw ChatEngineError(.unknownAgent, "Agent \(id) has no alias '\(alias)'.")
            }
            return Response(status: .noContent, headers: relay.requestHeaders(requestID))
        }
    }

    static func isAliasName(_ alias: String) -> Bool {
        !alias.isEmpty && alias.count <= 64 && Int(alias) == nil
            && alias.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
    }

    static func alias(_ alias: AgentAlias) -> JSONValue {
        [
            "alias": .string(alias.alias), "version": .int(alias.version - 1), "created_at": ConversationWire.timestamp(alias.createdAt),
            "updated_at": ConversationWire.timestamp(alias.updatedAt),
        ]
    }

    /// `GET /v1/agents/{id}/versions`: every version, newest first.
    func versions(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            let latest = try await conversations.ownedAgent(id, version: nil, key: key)
            let first = try await store.agent(name: id, version: 1)
            var shown: [JSONValue] = []
            for number in (1...latest.version).reversed() {
                guard let version = try await store.agent(name: id, version: number) else { continue }
                shown.append(ConversationWire.agent(version, versions: Array(1...latest.version), firstCreated: first?.createdAt ?? version.createdAt))
            }
            return .json(.array(shown), headers: relay.requestHeaders(requestID))
        }
    }

    /// `GET /v1/agents/{id}/versions/{version}`.
    func version(_ request: Request, id: String, version: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            guard let number = Int(version), number >= 0 else {
                throw ChatEngineError(.unknownAgent, "Agent \(id) has no version \(version).")
            }
            return try await answer(try await conversations.ownedAgent(id, version: number + 1, key: key), requestID: requestID)
        }
    }

    /// `DELETE /v1/agents/{id}`: every version; 204.
    func delete(_ request: Request, id: String) async -> Response {
        await conversations.withKey(request) { key, requestID in
            _ = try await conversations.ownedAgent(id, version: nil, key: key)
            _ = try await store.deleteAgent(name: id)
            return Response(status: .noContent, headers: relay.requestHeaders(requestID))
        }
    }

    /// `agent` with its versions listed.
    private func answer(_ agent: Agent, requestID: String) async throws -> Response {
        guard let latest = try await store.agent(name: agent.name, version: nil) else {
            throw ChatEngineError(.unknownAgent, "There is no agent \(agent.name).")
        }
        let first = try await store.agent(name: agent.name, version: 1)
        return .json(
            ConversationWire.agent(agent, versions: Array(1...latest.version), firstCreated: first?.createdAt ?? agent.createdAt),
            headers: relay.requestHeaders(requestID))
    }

    /// The settings both create and update read: completion arguments, guardrails, function
    /// tools, and the libraries of `document_library` tools (returned, `nil` without `tools`, to
    /// be checked as the owner's); other tools, handoffs and metadata are refused by name until
    /// the server serves them.
    private static func read(_ fields: inout RequestFields, into agent: inout Agent) -> [String]? {
        if let arguments = fields.object("completion_args") { ConversationWire.apply(completionArguments: arguments, to: &agent, fields: &fields) }
        let tools = ConversationWire.tools(&fields)
        if let tools { agent.functions = tools.functions.isEmpty ? nil : tools.functions }
        if let guardrails = ConversationWire.guardrails(&fields) { agent.upstreamGuardrails = guardrails.isEmpty ? nil : guardrails }
        if fields.isNull("tone") {
            agent.tone = nil
        } else if let tone = fields.string("tone") {
            switch tone {
            case "formal": agent.tone = .formal
            case "casual": agent.tone = .casual
            case "": fields.refuse("tone", "A tone is formal, casual, or instructions of its own.")
            default: agent.tone = .custom(tone)
            }
        }
        if let handoffs = fields.array("handoffs"), !handoffs.isEmpty { fields.refuse("handoffs", "Agent handoffs are not supported by this server yet.") }
        if let metadata = fields.object("metadata"), !metadata.isEmpty { fields.refuse("metadata", "Agent metadata is not supported by this server yet.") }
        _ = fields.string("version_message")
        return tools?.libraries
    }

    /// `ag_` and 32 random hex digits.
    static func newID() -> String {
        "ag_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
