import Foundation
import Logging
import MistralChat
import PostgresNIO

/// Conversations and agents in PostgreSQL, through PostgresNIO: for deployments with several
/// instances sharing one database. Same behaviour as ``SQLiteChatStore`` (one test suite runs
/// against both); appends lock the conversation row so concurrent instances never interleave
/// a turn's entries.
///
/// Call ``shutdown()`` when done: it stops the connection pool.
public final class PostgresChatStore: ChatStore {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// Connects to `url` (`postgres://user:password@host:port/database`) and migrates the schema.
    ///
    /// - Throws: `ChatEngineError` `.storage` naming the server when the URL is malformed
    ///   or the server cannot be reached.
    public init(url: String, logger: Logger = Logger(label: "MistralStore.Postgres")) async throws {
        guard let server = PostgresServer(url: url) else {
            throw ChatEngineError(.storage, "'\(PostgresServer.redacted(url))' is not a postgres://user:password@host:port/database URL.")
        }
        do {
            try await server.probe(logger: logger)
        } catch {
            throw ChatEngineError(.storage, "Cannot use the PostgreSQL database at \(server.display): \(server.describe(error))")
        }
        let configuration = server.configuration
        let client = PostgresClient(configuration: configuration)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
        do {
            try await migrate()
        } catch {
            runner.cancel()
            throw ChatEngineError(.storage, "Cannot use the PostgreSQL database at \(server.display): \(server.describe(error))")
        }
    }

    /// Stops the connection pool.
    public func shutdown() async {
        runner.cancel()
        _ = await runner.value
    }

    /// The schema, version by version; each runs once, in a transaction, under an advisory lock
    /// so instances starting together do not race.
    private static let migrations: [[String]] = [
        [
            """
            CREATE TABLE conversations (
                id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT NOT NULL, agent_name TEXT,
                agent_version BIGINT, restarted_from TEXT, pinned_facts TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL)
            """,
            "CREATE INDEX conversations_by_user ON conversations (user_id, session_id, updated_at)",
            """
            CREATE TABLE entries (
                id TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                position BIGINT NOT NULL, kind TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
                tool_call_id TEXT, tool_name TEXT, tool_arguments TEXT, model TEXT,
                prompt_tokens BIGINT, completion_tokens BIGINT, error TEXT,
                feedback_rating TEXT, feedback_comment TEXT, feedback_at DOUBLE PRECISION,
                created_at DOUBLE PRECISION NOT NULL, completed_at DOUBLE PRECISION,
                UNIQUE (conversation_id, position))
            """,
            """
            CREATE TABLE agents (
                name TEXT NOT NULL, version BIGINT NOT NULL, definition TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (name, version))
            """,
        ],
        [
            "CREATE TABLE knowledge_bases (name TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)",
            """
            CREATE TABLE documents (
                id TEXT PRIMARY KEY, knowledge_base TEXT NOT NULL REFERENCES knowledge_bases(name) ON DELETE CASCADE,
                source TEXT NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL, chunk_count BIGINT NOT NULL,
                ingested_at DOUBLE PRECISION NOT NULL, UNIQUE (knowledge_base, source))
            """,
            """
            CREATE TABLE chunks (
                id TEXT PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                knowledge_base TEXT NOT NULL, position BIGINT NOT NULL, text TEXT NOT NULL, embedding BYTEA NOT NULL,
                tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED)
            """,
            "CREATE INDEX chunks_by_base ON chunks (knowledge_base)",
            "CREATE INDEX chunks_tsv ON chunks USING GIN (tsv)",
        ],
        ["ALTER TABLE entries ADD COLUMN citations TEXT"],
        ["ALTER TABLE knowledge_bases ADD COLUMN revision BIGINT NOT NULL DEFAULT 0"],
        [
            "ALTER TABLE conversations ADD COLUMN owner TEXT",
            "ALTER TABLE conversations ADD COLUMN details TEXT",
            "CREATE INDEX conversations_by_owner ON conversations (owner, user_id, updated_at)",
        ],
        ["ALTER TABLE documents ADD COLUMN file TEXT"],
        [
            """
            CREATE TABLE agent_aliases (
                name TEXT NOT NULL, alias TEXT NOT NULL, version BIGINT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (name, alias))
            """
        ],
        ["ALTER TABLE entries ADD COLUMN lease_owner TEXT", "ALTER TABLE entries ADD COLUMN lease_until DOUBLE PRECISION"],
    ]

    private func migrate() async throws {
        try await client.migrate(Self.migrations, versionTable: "mistralkit_migrations", lock: 772101, logger: logger)
    }

    // MARK: - Knowledge

    public func createKnowledgeBase(_ base: KnowledgeBase) async throws {
        let definition = try StoreRows.encodeBase(base)
        let inserted = try await rows(
            """
            INSERT INTO knowledge_bases (name, definition, created_at) VALUES (\(base.name), \(definition), \(StoreRows.seconds(base.createdAt)))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """)
        if inserted.isEmpty { throw StoreRows.takenKnowledgeBase(base.name) }
    }

    public func knowledgeBase(name: String) async throws -> KnowledgeBase? {
        try await rows("SELECT definition FROM knowledge_bases WHERE name = \(name)").first.map { try StoreRows.decodeBase(try $0.decode(String.self)) }
    }

    public func knowledgeBases() async throws -> [KnowledgeBase] {
        try await rows("SELECT definition FROM knowledge_bases ORDER BY name").map { try StoreRows.decodeBase(try $0.decode(String.self)) }
    }

    public func document(id: String, knowledgeBase: String) async throws -> KnowledgeDocument? {
        try await rows("SELECT * FROM documents WHERE id = \(id) AND knowledge_base = \(knowledgeBase)").first.map(Self.document)
    }

    public func document(knowledgeBase: String, source: String) async throws -> KnowledgeDocument? {
        try await rows("SELECT * FROM documents WHERE knowledge_base = \(knowledgeBase) AND source = \(source)").first.map(Self.document)
    }

    public func documents(knowledgeBase: String) async throws -> [KnowledgeDocument] {
        try await rows("SELECT * FROM documents WHERE knowledge_base = \(knowledgeBase) ORDER BY source").map(Self.document)
    }

    public func replaceDocument(_ document: KnowledgeDocument, chunks: [KnowledgeChunk]) async throws {
        try await transaction { connection in
            let logger = self.logger
            let base = try await connection.query(
                "SELECT name FROM knowledge_bases WHERE name = \(document.knowledgeBase) FOR UPDATE", logger: logger
            ).collect()
            guard !base.isEmpty else { throw StoreRows.unknownKnowledgeBase(document.knowledgeBase) }
            try await connection.query("UPDATE knowledge_bases SET revision = revision + 1 WHERE name = \(document.knowledgeBase)", logger: logger)
            try await connection.query(
                "DELETE FROM documents WHERE knowledge_base = \(document.knowledgeBase) AND source = \(document.source)", logger: logger)
            try await connection.query(
                """
                INSERT INTO documents (id, knowledge_base, source, title, content, chunk_count, ingested_at, file)
                VALUES (\(document.id), \(document.knowledgeBase), \(document.source), \(document.title), \(document.content),
                    \(document.chunkCount), \(StoreRows.seconds(document.ingestedAt)), \(try StoreRows.encodeFile(document.file)))
                """, logger: logger)
            for chunk in chunks {
                try await connection.query(
                    """
                    INSERT INTO chunks (id, document_id, knowledge_base, position, text, embedding)
                    VALUES (\(chunk.id), \(document.id), \(document.knowledgeBase), \(chunk.position), \(chunk.text),
                        \(StoreRows.embeddingBytes(chunk.embedding)))
                    """, logger: logger)
            }
        }
    }

    public func revision(knowledgeBase: String) async throws -> Int? {
        try await rows("SELECT revision FROM knowledge_bases WHERE name = \(knowledgeBase)").first.map { try $0.decode(Int.self) }
    }

    public func chunks(knowledgeBase: String) async throws -> [KnowledgeChunk] {
        try await rows("SELECT id, document_id, position, text, embedding FROM chunks WHERE knowledge_base = \(knowledgeBase) ORDER BY document_id, position")
            .map { row in
                let (id, document, position, text, embedding) = try row.decode((String, String, Int, String, Data).self)
                return KnowledgeChunk(id: id, documentID: document, position: position, text: text, embedding: StoreRows.embedding(embedding))
            }
    }

    public func searchText(knowledgeBase: String, query: String, limit: Int) async throws -> [String] {
        let terms = StoreRows.searchTerms(query)
        guard !terms.isEmpty else { return [] }
        let expression = terms.joined(separator: " | ")
        return try await rows(
            """
            SELECT id FROM chunks, to_tsquery('simple', \(expression)) query
            WHERE knowledge_base = \(knowledgeBase) AND tsv @@ query ORDER BY ts_rank_cd(tsv, query) DESC, id LIMIT \(limit)
            """
        ).map { try $0.decode(String.self) }
    }

    public func deleteDocument(id: String, knowledgeBase: String) async throws -> Bool {
        try await transaction { connection in
            let deleted = try await connection.query(
                "DELETE FROM documents WHERE id = \(id) AND knowledge_base = \(knowledgeBase) RETURNING id", logger: self.logger
            ).collect()
            guard !deleted.isEmpty else { return false }
            try await connection.query("UPDATE knowledge_bases SET revision = revision + 1 WHERE name = \(knowledgeBase)", logger: self.logger)
            return true
        }
    }

    public func updateKnowledgeBase(_ base: KnowledgeBase) async throws -> Bool {
        let definition = try StoreRows.encodeBase(base)
        return try await !rows("UPDATE knowledge_bases SET definition = \(definition) WHERE name = \(base.name) RETURNING name").isEmpty
    }

    public func renameDocument(id: String, knowledgeBase: String, title: String, file: DocumentFile?) async throws -> Bool {
        let encoded = try StoreRows.encodeFile(file)
        return try await transaction { connection in
            let renamed = try await connection.query(
                "UPDATE documents SET title = \(title), file = \(encoded) WHERE id = \(id) AND knowledge_base = \(knowledgeBase) RETURNING id",
                logger: self.logger
            ).collect()
            guard !renamed.isEmpty else { return false }
            // Indexes in memory hold titles: the revision makes them reload.
            try await connection.query("UPDATE knowledge_bases SET revision = revision + 1 WHERE name = \(knowledgeBase)", logger: self.logger)
            return true
        }
    }

    public func deleteKnowledgeBase(name: String) async throws -> Bool {
        try await !rows("DELETE FROM knowledge_bases WHERE name = \(name) RETURNING name").isEmpty
    }

    // MARK: - Conversations

    public func createConversation(_ conversation: Conversation) async throws {
        let facts = try StoreRows.encodeFacts(conversation.pinnedFacts)
        let details = try StoreRows.encodeDetails(conversation.details)
        try await run(
            """
            INSERT INTO conversations (id, user_id, session_id, agent_name, agent_version, restarted_from, pinned_facts, created_at, updated_at,
                owner, details)
            VALUES (\(conversation.id), \(conversation.userID), \(conversation.sessionID), \(conversation.agentName),
                \(conversation.agentVersion), \(conversation.restartedFrom), \(facts), \(StoreRows.seconds(conversation.createdAt)),
                \(StoreRows.seconds(conversation.updatedAt)), \(conversation.owner), \(details))
            """)
    }

    public func conversation(id: String) async throws -> Conversation? {
        try await rows("SELECT * FROM conversations WHERE id = \(id)").first.map(Self.conversation)
    }

    public func conversations(userID: String, sessionID: String?, limit: Int, offset: Int) async throws -> [Conversation] {
        let query: PostgresQuery =
            sessionID.map {
                "SELECT * FROM conversations WHERE user_id = \(userID) AND session_id = \($0) ORDER BY updated_at DESC, id LIMIT \(limit) OFFSET \(offset)"
            } ?? "SELECT * FROM conversations WHERE user_id = \(userID) ORDER BY updated_at DESC, id LIMIT \(limit) OFFSET \(offset)"
        return try await rows(query).map(Self.conversation)
    }

    public func conversations(owner: String, userID: String?, limit: Int, offset: Int) async throws -> [Conversation] {
        let query: PostgresQuery =
            userID.map {
                "SELECT * FROM conversations WHERE owner = \(owner) AND user_id = \($0) ORDER BY updated_at DESC, id LIMIT \(limit) OFFSET \(offset)"
            } ?? "SELECT * FROM conversations WHERE owner = \(owner) ORDER BY updated_at DESC, id LIMIT \(limit) OFFSET \(offset)"
        return try await rows(query).map(Self.conversation)
    }

    public func updatePinnedFacts(conversationID: String, _ facts: [String]) async throws {
        let encoded = try StoreRows.encodeFacts(facts)
        let changed = try await rows(
            "UPDATE conversations SET pinned_facts = \(encoded), updated_at = \(StoreRows.seconds(Date())) WHERE id = \(conversationID) RETURNING id")
        if changed.isEmpty { throw StoreRows.unknownConversation(conversationID) }
    }

    public func deleteConversation(id: String) async throws -> Bool {
        try await !rows("DELETE FROM conversations WHERE id = \(id) RETURNING id").isEmpty
    }

    // MARK: - Entries

    public func entries(conversationID: String) async throws -> [ConversationEntry] {
        try await rows("SELECT * FROM entries WHERE conversation_id = \(conversationID) ORDER BY position").map(Self.entry)
    }

    public func append(_ entries: [ConversationEntry], to conversationID: String) async throws -> [ConversationEntry] {
        try await transaction { connection in
            let logger = self.logger
            let locked = try await connection.query("SELECT id FROM conversations WHERE id = \(conversationID) FOR UPDATE", logger: logger).collect()
            guard !locked.isEmpty else { throw StoreRows.unknownConversation(conversationID) }
            var next = 0
            for try await value in try await connection.query(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM entries WHERE conversation_id = \(conversationID)", logger: logger
            ).decode(Int.self) {
                next = value
            }
            var stored: [ConversationEntry] = []
            for var entry in entries {
                entry.conversationID = conversationID
                entry.position = next
                next += 1
                try await connection.query(
                    """
                    INSERT INTO entries (id, conversation_id, position, kind, content, status, tool_call_id, tool_name, tool_arguments,
                        model, prompt_tokens, completion_tokens, error, feedback_rating, feedback_comment, feedback_at, created_at, completed_at,
                        citations, lease_owner, lease_until)
                    VALUES (\(entry.id), \(entry.conversationID), \(entry.position), \(entry.kind.rawValue), \(entry.content),
                        \(entry.status.rawValue), \(entry.toolCallID), \(entry.toolName), \(entry.toolArguments), \(entry.model),
                        \(entry.promptTokens), \(entry.completionTokens), \(entry.error), \(entry.feedback?.rating.rawValue),
                        \(entry.feedback?.comment), \(entry.feedback.map { StoreRows.seconds($0.createdAt) }),
                        \(StoreRows.seconds(entry.createdAt)), \(entry.completedAt.map(StoreRows.seconds)),
                        \(try StoreRows.encodeCitations(entry.citations)), \(entry.lease?.owner), \(entry.lease.map { StoreRows.seconds($0.until) }))
                    """, logger: logger)
                stored.append(entry)
            }
            try await connection.query(
                "UPDATE conversations SET updated_at = \(StoreRows.seconds(Date())) WHERE id = \(conversationID)", logger: logger)
            return stored
        }
    }

    public func update(_ entry: ConversationEntry) async throws {
        let citations = try StoreRows.encodeCitations(entry.citations)
        let changed = try await rows(
            """
            UPDATE entries SET content = \(entry.content), status = \(entry.status.rawValue), model = \(entry.model),
                prompt_tokens = \(entry.promptTokens), completion_tokens = \(entry.completionTokens), error = \(entry.error),
                completed_at = \(entry.completedAt.map(StoreRows.seconds)), citations = \(citations), lease_owner = \(entry.lease?.owner),
                lease_until = \(entry.lease.map { StoreRows.seconds($0.until) })
            WHERE id = \(entry.id) RETURNING id
            """)
        if changed.isEmpty { throw StoreRows.unknownEntry(entry.id) }
    }

    public func failAbandonedTurns(conversationID: String?, now: Date) async throws -> Int {
        let seconds = StoreRows.seconds(now)
        let query: PostgresQuery =
            if let conversationID {
                """
                UPDATE entries SET status = 'failed', error = \(StoreRows.abandoned), completed_at = \(seconds), lease_owner = NULL, lease_until = NULL
                WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < \(seconds)) AND conversation_id = \(conversationID) RETURNING id
                """
            } else {
                """
                UPDATE entries SET status = 'failed', error = \(StoreRows.abandoned), completed_at = \(seconds), lease_owner = NULL, lease_until = NULL
                WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < \(seconds)) RETURNING id
                """
            }
        return try await rows(query).count
    }

    public func setFeedback(_ feedback: Feedback, entryID: String) async throws {
        let changed = try await rows(
            """
            UPDATE entries SET feedback_rating = \(feedback.rating.rawValue), feedback_comment = \(feedback.comment),
                feedback_at = \(StoreRows.seconds(feedback.createdAt))
            WHERE id = \(entryID) RETURNING id
            """)
        if changed.isEmpty { throw StoreRows.unknownEntry(entryID) }
    }

    // MARK: - Agents

    public func saveAgent(_ agent: Agent) async throws -> Agent {
        try await transaction { connection in
            let logger = self.logger
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(agent.name)))", logger: logger)
            var saved = agent
            var latest = 0
            for try await value in try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM agents WHERE name = \(agent.name)", logger: logger
            ).decode(Int.self) {
                latest = value
            }
            saved.version = latest + 1
            let definition = try StoreRows.encodeAgent(saved)
            try await connection.query(
                "INSERT INTO agents (name, version, definition, created_at) VALUES (\(saved.name), \(saved.version), \(definition), \(StoreRows.seconds(saved.createdAt)))",
                logger: logger)
            return saved
        }
    }

    public func agent(name: String, version: Int?) async throws -> Agent? {
        let query: PostgresQuery =
            version.map { "SELECT definition FROM agents WHERE name = \(name) AND version = \($0)" }
            ?? "SELECT definition FROM agents WHERE name = \(name) ORDER BY version DESC LIMIT 1"
        return try await rows(query).first.map { try StoreRows.decodeAgent(try $0.decode(String.self)) }
    }

    public func agents() async throws -> [Agent] {
        try await rows(
            "SELECT definition FROM agents a WHERE version = (SELECT MAX(version) FROM agents b WHERE b.name = a.name) ORDER BY name"
        ).map { try StoreRows.decodeAgent(try $0.decode(String.self)) }
    }

    public func deleteAgent(name: String) async throws -> Bool {
        try await transaction { connection in
            let deleted = try await connection.query("DELETE FROM agents WHERE name = \(name) RETURNING name", logger: self.logger).collect()
            try await connection.query("DELETE FROM agent_aliases WHERE name = \(name)", logger: self.logger)
            return !deleted.isEmpty
        }
    }

    public func setAgentAlias(name: String, alias: String, version: Int) async throws -> AgentAlias {
        guard try await !rows("SELECT 1 FROM agents WHERE name = \(name) AND version = \(version)").isEmpty else {
            throw StoreRows.unknownAgentVersion(name, version)
        }
        let now = StoreRows.seconds(Date())
        let row = try await rows(
            """
            INSERT INTO agent_aliases (name, alias, version, created_at, updated_at) VALUES (\(name), \(alias), \(version), \(now), \(now))
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
            RETURNING alias, version, created_at, updated_at
            """)
        return try Self.alias(row[0])
    }

    public func agentAliases(name: String) async throws -> [AgentAlias] {
        try await rows("SELECT alias, version, created_at, updated_at FROM agent_aliases WHERE name = \(name) ORDER BY alias").map(Self.alias)
    }

    public func deleteAgentAlias(name: String, alias: String) async throws -> Bool {
        try await !rows("DELETE FROM agent_aliases WHERE name = \(name) AND alias = \(alias) RETURNING alias").isEmpty
    }

    private static func alias(_ row: PostgresRow) throws -> AgentAlias {
        let (alias, version, created, updated) = try row.decode((String, Int, Double, Double).self)
        return AgentAlias(alias: alias, version: version, createdAt: StoreRows.date(created), updatedAt: StoreRows.date(updated))
    }

    // MARK: - Rows

    private func run(_ query: PostgresQuery) async throws {
        _ = try await rows(query)
    }

    private func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw Self.mapped(error)
        }
    }

    private func transaction<T: Sendable>(_ body: nonisolated(nonsending) (PostgresConnection) async throws -> sending T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch {
            throw Self.mapped(error)
        }
    }

    private static func mapped(_ error: any Error) -> any Error {
        if error is ChatEngineError || error is CancellationError { return error }
        if let error = error as? PostgresTransactionError {
            return mapped(error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error)
        }
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            return ChatEngineError(.storage, "PostgreSQL: \(message)")
        }
        return ChatEngineError(.storage, "PostgreSQL: \(String(reflecting: error))")
    }

    private static func conversation(_ row: PostgresRow) throws -> Conversation {
        let columns = row.makeRandomAccess()
        return Conversation(
            id: try columns["id"].decode(String.self), userID: try columns["user_id"].decode(String.self),
            sessionID: try columns["session_id"].decode(String.self), agentName: try columns["agent_name"].decode(String?.self),
            agentVersion: try columns["agent_version"].decode(Int?.self), restartedFrom: try columns["restarted_from"].decode(String?.self),
            pinnedFacts: try StoreRows.decodeFacts(try columns["pinned_facts"].decode(String.self)),
            createdAt: StoreRows.date(try columns["created_at"].decode(Double.self)),
            updatedAt: StoreRows.date(try columns["updated_at"].decode(Double.self)), owner: try columns["owner"].decode(String?.self),
            details: try StoreRows.decodeDetails(try columns["details"].decode(String?.self)))
    }

    private static func document(_ row: PostgresRow) throws -> KnowledgeDocument {
        let columns = row.makeRandomAccess()
        return KnowledgeDocument(
            id: try columns["id"].decode(String.self), knowledgeBase: try columns["knowledge_base"].decode(String.self),
            source: try columns["source"].decode(String.self), title: try columns["title"].decode(String.self),
            content: try columns["content"].decode(String.self), chunkCount: try columns["chunk_count"].decode(Int.self),
            ingestedAt: StoreRows.date(try columns["ingested_at"].decode(Double.self)),
            file: try StoreRows.decodeFile(try columns["file"].decode(String?.self)))
    }

    private static func entry(_ row: PostgresRow) throws -> ConversationEntry {
        let columns = row.makeRandomAccess()
        return ConversationEntry(
            id: try columns["id"].decode(String.self), conversationID: try columns["conversation_id"].decode(String.self),
            position: try columns["position"].decode(Int.self), kind: try StoreRows.kind(try columns["kind"].decode(String.self)),
            content: try columns["content"].decode(String.self), status: try StoreRows.status(try columns["status"].decode(String.self)),
            toolCallID: try columns["tool_call_id"].decode(String?.self), toolName: try columns["tool_name"].decode(String?.self),
            toolArguments: try columns["tool_arguments"].decode(String?.self), model: try columns["model"].decode(String?.self),
            promptTokens: try columns["prompt_tokens"].decode(Int?.self), completionTokens: try columns["completion_tokens"].decode(Int?.self),
            error: try columns["error"].decode(String?.self),
            feedback: StoreRows.feedback(
                rating: try columns["feedback_rating"].decode(String?.self), comment: try columns["feedback_comment"].decode(String?.self),
                at: try columns["feedback_at"].decode(Double?.self)),
            citations: try StoreRows.decodeCitations(try columns["citations"].decode(String?.self)),
            createdAt: StoreRows.date(try columns["created_at"].decode(Double.self)),
            completedAt: try columns["completed_at"].decode(Double?.self).map(StoreRows.date),
            lease: StoreRows.lease(owner: try columns["lease_owner"].decode(String?.self), until: try columns["lease_until"].decode(Double?.self)))
    }
}
