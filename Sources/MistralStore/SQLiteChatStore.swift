import Foundation
import GRDB
import MistralChat

/// Conversations and agents in an embedded SQLite file, through GRDB: WAL mode, migrations,
/// one writer at a time. The default store (`~/.mistral/mistral.sqlite`).
public final class SQLiteChatStore: ChatStore {
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// - Throws: `ChatEngineError` `.storage` naming the file when it cannot be opened or is
    ///   not a database of ours.
    public init(path: String) throws {
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch let error as ChatEngineError {
            throw error
        } catch {
            throw ChatEngineError(.storage, "Cannot open the chat database \(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: conversations, entries, agents") { db in
            try db.execute(
                sql: """
                    CREATE TABLE conversations (
                        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT NOT NULL, agent_name TEXT,
                        agent_version INTEGER, restarted_from TEXT, pinned_facts TEXT NOT NULL,
                        created_at REAL NOT NULL, updated_at REAL NOT NULL);
                    CREATE INDEX conversations_by_user ON conversations (user_id, session_id, updated_at);
                    CREATE TABLE entries (
                        id TEXT PRIMARY KEY,
                        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL, kind TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
                        tool_call_id TEXT, tool_name TEXT, tool_arguments TEXT, model TEXT,
                        prompt_tokens INTEGER, completion_tokens INTEGER, error TEXT,
                        feedback_rating TEXT, feedback_comment TEXT, feedback_at REAL,
                        created_at REAL NOT NULL, completed_at REAL,
                        UNIQUE (conversation_id, position));
                    CREATE TABLE agents (
                        name TEXT NOT NULL, version INTEGER NOT NULL, definition TEXT NOT NULL, created_at REAL NOT NULL,
                        PRIMARY KEY (name, version));
                    """)
        }
        migrator.registerMigration("v2: knowledge bases") { db in
            try db.execute(
                sql: """
                    CREATE TABLE knowledge_bases (name TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at REAL NOT NULL);
                    CREATE TABLE documents (
                        id TEXT PRIMARY KEY,
                        knowledge_base TEXT NOT NULL REFERENCES knowledge_bases(name) ON DELETE CASCADE,
                        source TEXT NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL, chunk_count INTEGER NOT NULL,
                        ingested_at REAL NOT NULL, UNIQUE (knowledge_base, source));
                    CREATE TABLE chunks (
                        id TEXT PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                        knowledge_base TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL, embedding BLOB NOT NULL);
                    CREATE INDEX chunks_by_base ON chunks (knowledge_base);
                    CREATE VIRTUAL TABLE chunks_fts USING fts5(
                        text, chunk_id UNINDEXED, knowledge_base UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
                    """)
        }
        migrator.registerMigration("v3: citations") { db in
            try db.execute(sql: "ALTER TABLE entries ADD COLUMN citations TEXT")
        }
        // One full-text table per knowledge base: filtering a shared table by base cost a content
        // lookup per matching row, more than the ranking itself (see BENCHMARKS.md, retrieval).
        migrator.registerMigration("v4: a full-text table per knowledge base") { db in
            for name in try String.fetchAll(db, sql: "SELECT name FROM knowledge_bases") {
                try createTextTable(db, knowledgeBase: name)
                try db.execute(
                    sql: "INSERT INTO \(textTable(name)) (text, chunk_id) SELECT text, chunk_id FROM chunks_fts WHERE knowledge_base = ?",
                    arguments: [name])
            }
            try db.execute(sql: "DROP TABLE chunks_fts")
        }
        migrator.registerMigration("v5: knowledge base revisions") { db in
            try db.execute(sql: "ALTER TABLE knowledge_bases ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v6: conversation owners and details") { db in
            try db.execute(
                sql: """
                    ALTER TABLE conversations ADD COLUMN owner TEXT;
                    ALTER TABLE conversations ADD COLUMN details TEXT;
                    CREATE INDEX conversations_by_owner ON conversations (owner, user_id, updated_at);
                    """)
        }
        migrator.registerMigration("v7: uploaded document files") { db in
            try db.execute(sql: "ALTER TABLE documents ADD COLUMN file TEXT")
        }
        migrator.registerMigration("v8: agent aliases") { db in
            try db.execute(
                sql: """
                    CREATE TABLE agent_aliases (
                        name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
                        PRIMARY KEY (name, alias))
                    """)
        }
        migrator.registerMigration("v9: leases of pending answers") { db in
            try db.execute(sql: "ALTER TABLE entries ADD COLUMN lease_owner TEXT; ALTER TABLE entries ADD COLUMN lease_until REAL")
        }
        return migrator
    }

    /// The quoted name of `knowledgeBase`'s full-text table: its name in hexadecimal, so any name
    /// a knowledge base may have makes a valid, distinct identifier.
    static func textTable(_ knowledgeBase: String) -> String {
        "\"knowledge_text_" + knowledgeBase.utf8.map { String(format: "%02x", $0) }.joined() + "\""
    }

    private static func createTextTable(_ db: Database, knowledgeBase: String) throws {
        try db.execute(
            sql: "CREATE VIRTUAL TABLE \(textTable(knowledgeBase)) USING fts5(text, chunk_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')")
    }

    // MARK: - Knowledge

    public func createKnowledgeBase(_ base: KnowledgeBase) async throws {
        let definition = try StoreRows.encodeBase(base)
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM knowledge_bases WHERE name = ?", arguments: [base.name]) != nil {
                throw StoreRows.takenKnowledgeBase(base.name)
            }
            try db.execute(
                sql: "INSERT INTO knowledge_bases (name, definition, created_at) VALUES (?, ?, ?)",
                arguments: [base.name, definition, StoreRows.seconds(base.createdAt)])
            try Self.createTextTable(db, knowledgeBase: base.name)
        }
    }

    public func knowledgeBase(name: String) async throws -> KnowledgeBase? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT definition FROM knowledge_bases WHERE name = ?", arguments: [name]).map(StoreRows.decodeBase)
        }
    }

    public func knowledgeBases() async throws -> [KnowledgeBase] {
        try await read { db in try String.fetchAll(db, sql: "SELECT definition FROM knowledge_bases ORDER BY name").map(StoreRows.decodeBase) }
    }

    public func document(id: String, knowledgeBase: String) async throws -> KnowledgeDocument? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM documents WHERE id = ? AND knowledge_base = ?", arguments: [id, knowledgeBase]).map(Self.document)
        }
    }

    public func document(knowledgeBase: String, source: String) async throws -> KnowledgeDocument? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM documents WHERE knowledge_base = ? AND source = ?", arguments: [knowledgeBase, source])
                .map(Self.document)
        }
    }

    public func documents(knowledgeBase: String) async throws -> [KnowledgeDocument] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM documents WHERE knowledge_base = ? ORDER BY source", arguments: [knowledgeBase]).map(Self.document)
        }
    }

    public func replaceDocument(_ document: KnowledgeDocument, chunks: [KnowledgeChunk]) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM knowledge_bases WHERE name = ?", arguments: [document.knowledgeBase]) != nil else {
                throw StoreRows.unknownKnowledgeBase(document.knowledgeBase)
            }
            try db.execute(sql: "UPDATE knowledge_bases SET revision = revision + 1 WHERE name = ?", arguments: [document.knowledgeBase])
            let table = Self.textTable(document.knowledgeBase)
            let old = try String.fetchAll(
                db, sql: "SELECT id FROM documents WHERE knowledge_base = ? AND source = ?", arguments: [document.knowledgeBase, document.source])
            for id in old {
                try db.execute(sql: "DELETE FROM \(table) WHERE chunk_id IN (SELECT id FROM chunks WHERE document_id = ?)", arguments: [id])
                try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [id])
            }
            try db.execute(
                sql: """
                    INSERT INTO documents (id, knowledge_base, source, title, content, chunk_count, ingested_at, file)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    document.id, document.knowledgeBase, document.source, document.title, document.content, document.chunkCount,
                    StoreRows.seconds(document.ingestedAt), try StoreRows.encodeFile(document.file),
                ])
            for chunk in chunks {
                try db.execute(
                    sql: "INSERT INTO chunks (id, document_id, knowledge_base, position, text, embedding) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [chunk.id, document.id, document.knowledgeBase, chunk.position, chunk.text, StoreRows.embeddingBytes(chunk.embedding)])
                try db.execute(sql: "INSERT INTO \(table) (text, chunk_id) VALUES (?, ?)", arguments: [chunk.text, chunk.id])
            }
        }
    }

    public func deleteDocument(id: String, knowledgeBase: String) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM documents WHERE id = ? AND knowledge_base = ?", arguments: [id, knowledgeBase]) != nil
            else { return false }
            try db.execute(
                sql: "DELETE FROM \(Self.textTable(knowledgeBase)) WHERE chunk_id IN (SELECT id FROM chunks WHERE document_id = ?)", arguments: [id])
            try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [id])
            try db.execute(sql: "UPDATE knowledge_bases SET revision = revision + 1 WHERE name = ?", arguments: [knowledgeBase])
            return true
        }
    }

    public func deleteKnowledgeBase(name: String) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM knowledge_bases WHERE name = ?", arguments: [name]) != nil else { return false }
            try db.execute(sql: "DROP TABLE IF EXISTS \(Self.textTable(name))")
            try db.execute(sql: "DELETE FROM knowledge_bases WHERE name = ?", arguments: [name])
            return true
        }
    }

    public func updateKnowledgeBase(_ base: KnowledgeBase) async throws -> Bool {
        let definition = try StoreRows.encodeBase(base)
        return try await write { db in
            try db.execute(sql: "UPDATE knowledge_bases SET definition = ? WHERE name = ?", arguments: [definition, base.name])
            return db.changesCount > 0
        }
    }

    public func renameDocument(id: String, knowledgeBase: String, title: String, file: DocumentFile?) async throws -> Bool {
        let encoded = try StoreRows.encodeFile(file)
        return try await write { db in
            try db.execute(
                sql: "UPDATE documents SET title = ?, file = ? WHERE id = ? AND knowledge_base = ?", arguments: [title, encoded, id, knowledgeBase])
            guard db.changesCount > 0 else { return false }
            // Indexes in memory hold titles: the revision makes them reload.
            try db.execute(sql: "UPDATE knowledge_bases SET revision = revision + 1 WHERE name = ?", arguments: [knowledgeBase])
            return true
        }
    }

    public func revision(knowledgeBase: String) async throws -> Int? {
        try await read { db in try Int.fetchOne(db, sql: "SELECT revision FROM knowledge_bases WHERE name = ?", arguments: [knowledgeBase]) }
    }

    public func chunks(knowledgeBase: String) async throws -> [KnowledgeChunk] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM chunks WHERE knowledge_base = ? ORDER BY document_id, position", arguments: [knowledgeBase]).map {
                KnowledgeChunk(id: $0["id"], documentID: $0["document_id"], position: $0["position"], text: $0["text"], embedding: StoreRows.embedding($0["embedding"]))
            }
        }
    }

    public func searchText(knowledgeBase: String, query: String, limit: Int) async throws -> [String] {
        let terms = StoreRows.searchTerms(query)
        guard !terms.isEmpty else { return [] }
        let match = terms.map { "\"\($0)\"" }.joined(separator: " OR ")
        let table = Self.textTable(knowledgeBase)
        return try await read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM knowledge_bases WHERE name = ?", arguments: [knowledgeBase]) != nil else { return [] }
            return try String.fetchAll(
                db, sql: "SELECT chunk_id FROM \(table) WHERE \(table) MATCH ? ORDER BY bm25(\(table)), rowid LIMIT ?", arguments: [match, limit])
        }
    }

    // MARK: - Conversations

    public func createConversation(_ conversation: Conversation) async throws {
        let facts = try StoreRows.encodeFacts(conversation.pinnedFacts)
        let details = try StoreRows.encodeDetails(conversation.details)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversations (id, user_id, session_id, agent_name, agent_version, restarted_from, pinned_facts, created_at, updated_at,
                        owner, details)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    conversation.id, conversation.userID, conversation.sessionID, conversation.agentName, conversation.agentVersion,
                    conversation.restartedFrom, facts, StoreRows.seconds(conversation.createdAt), StoreRows.seconds(conversation.updatedAt),
                    conversation.owner, details,
                ])
        }
    }

    public func conversation(id: String) async throws -> Conversation? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM conversations WHERE id = ?", arguments: [id]).map(Self.conversation) }
    }

    public func conversations(userID: String, sessionID: String?, limit: Int, offset: Int) async throws -> [Conversation] {
        try await read { db in
            let rows: [Row]
            if let sessionID {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM conversations WHERE user_id = ? AND session_id = ? ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
                    arguments: [userID, sessionID, limit, offset])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM conversations WHERE user_id = ? ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
                    arguments: [userID, limit, offset])
            }
            return try rows.map(Self.conversation)
        }
    }

    public func conversations(owner: String, userID: String?, limit: Int, offset: Int) async throws -> [Conversation] {
        try await read { db in
            let rows =
                if let userID {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM conversations WHERE owner = ? AND user_id = ? ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
                        arguments: [owner, userID, limit, offset])
                } else {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
                        arguments: [owner, limit, offset])
                }
            return try rows.map(Self.conversation)
        }
    }

    public func updatePinnedFacts(conversationID: String, _ facts: [String]) async throws {
        let encoded = try StoreRows.encodeFacts(facts)
        try await write { db in
            try db.execute(
                sql: "UPDATE conversations SET pinned_facts = ?, updated_at = ? WHERE id = ?",
                arguments: [encoded, StoreRows.seconds(Date()), conversationID])
            if db.changesCount == 0 { throw StoreRows.unknownConversation(conversationID) }
        }
    }

    public func deleteConversation(id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM conversations WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    // MARK: - Entries

    public func entries(conversationID: String) async throws -> [ConversationEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM entries WHERE conversation_id = ? ORDER BY position", arguments: [conversationID])
                .map(Self.entry)
        }
    }

    public func append(_ entries: [ConversationEntry], to conversationID: String) async throws -> [ConversationEntry] {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM conversations WHERE id = ?", arguments: [conversationID]) != nil else {
                throw StoreRows.unknownConversation(conversationID)
            }
            var next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(position) + 1, 0) FROM entries WHERE conversation_id = ?", arguments: [conversationID]) ?? 0
            var stored: [ConversationEntry] = []
            for var entry in entries {
                entry.conversationID = conversationID
                entry.position = next
                next += 1
                try db.execute(
                    sql: """
                        INSERT INTO entries (id, conversation_id, position, kind, content, status, tool_call_id, tool_name, tool_arguments,
                            model, prompt_tokens, completion_tokens, error, feedback_rating, feedback_comment, feedback_at, created_at, completed_at,
                            citations, lease_owner, lease_until)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        entry.id, entry.conversationID, entry.position, entry.kind.rawValue, entry.content, entry.status.rawValue,
                        entry.toolCallID, entry.toolName, entry.toolArguments, entry.model, entry.promptTokens, entry.completionTokens,
                        entry.error, entry.feedback?.rating.rawValue, entry.feedback?.comment, entry.feedback.map { StoreRows.seconds($0.createdAt) },
                        StoreRows.seconds(entry.createdAt), entry.completedAt.map(StoreRows.seconds), try StoreRows.encodeCitations(entry.citations),
                        entry.lease?.owner, entry.lease.map { StoreRows.seconds($0.until) },
                    ])
                stored.append(entry)
            }
            try db.execute(sql: "UPDATE conversations SET updated_at = ? WHERE id = ?", arguments: [StoreRows.seconds(Date()), conversationID])
            return stored
        }
    }

    public func update(_ entry: ConversationEntry) async throws {
        let citations = try StoreRows.encodeCitations(entry.citations)
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE entries SET content = ?, status = ?, model = ?, prompt_tokens = ?, completion_tokens = ?, error = ?, completed_at = ?,
                        citations = ?, lease_owner = ?, lease_until = ?
                    WHERE id = ?
                    """,
                arguments: [
                    entry.content, entry.status.rawValue, entry.model, entry.promptTokens, entry.completionTokens, entry.error,
                    entry.completedAt.map(StoreRows.seconds), citations, entry.lease?.owner, entry.lease.map { StoreRows.seconds($0.until) }, entry.id,
                ])
            if db.changesCount == 0 { throw StoreRows.unknownEntry(entry.id) }
        }
    }

    public func failAbandonedTurns(conversationID: String?, now: Date) async throws -> Int {
        let seconds = StoreRows.seconds(now)
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE entries SET status = 'failed', error = ?, completed_at = ?, lease_owner = NULL, lease_until = NULL
                    WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < ?) AND (? IS NULL OR conversation_id = ?)
                    """,
                arguments: [StoreRows.abandoned, seconds, seconds, conversationID, conversationID])
            return db.changesCount
        }
    }

    public func setFeedback(_ feedback: Feedback, entryID: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE entries SET feedback_rating = ?, feedback_comment = ?, feedback_at = ? WHERE id = ?",
                arguments: [feedback.rating.rawValue, feedback.comment, StoreRows.seconds(feedback.createdAt), entryID])
            if db.changesCount == 0 { throw StoreRows.unknownEntry(entryID) }
        }
    }

    // MARK: - Agents

    public func saveAgent(_ agent: Agent) async throws -> Agent {
        try await write { db in
            var saved = agent
            saved.version = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM agents WHERE name = ?", arguments: [agent.name]) ?? 0) + 1
            try db.execute(
                sql: "INSERT INTO agents (name, version, definition, created_at) VALUES (?, ?, ?, ?)",
                arguments: [saved.name, saved.version, try StoreRows.encodeAgent(saved), StoreRows.seconds(saved.createdAt)])
            return saved
        }
    }

    public func agent(name: String, version: Int?) async throws -> Agent? {
        try await read { db in
            let definition: String?
            if let version {
                definition = try String.fetchOne(db, sql: "SELECT definition FROM agents WHERE name = ? AND version = ?", arguments: [name, version])
            } else {
                definition = try String.fetchOne(db, sql: "SELECT definition FROM agents WHERE name = ? ORDER BY version DESC LIMIT 1", arguments: [name])
            }
            return try definition.map(StoreRows.decodeAgent)
        }
    }

    public func agents() async throws -> [Agent] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: "SELECT definition FROM agents a WHERE version = (SELECT MAX(version) FROM agents b WHERE b.name = a.name) ORDER BY name"
            ).map(StoreRows.decodeAgent)
        }
    }

    public func deleteAgent(name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM agents WHERE name = ?", arguments: [name])
            let deleted = db.changesCount > 0
            try db.execute(sql: "DELETE FROM agent_aliases WHERE name = ?", arguments: [name])
            return deleted
        }
    }

    public func setAgentAlias(name: String, alias: String, version: Int) async throws -> AgentAlias {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agents WHERE name = ? AND version = ?", arguments: [name, version]) != nil else {
                throw StoreRows.unknownAgentVersion(name, version)
            }
            let now = StoreRows.seconds(Date())
            try db.execute(
                sql: """
                    INSERT INTO agent_aliases (name, alias, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
                    """,
                arguments: [name, alias, version, now, now])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM agent_aliases WHERE name = ? AND alias = ?", arguments: [name, alias])!
            return Self.alias(row)
        }
    }

    public func agentAliases(name: String) async throws -> [AgentAlias] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agent_aliases WHERE name = ? ORDER BY alias", arguments: [name]).map(Self.alias)
        }
    }

    public func deleteAgentAlias(name: String, alias: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM agent_aliases WHERE name = ? AND alias = ?", arguments: [name, alias])
            return db.changesCount > 0
        }
    }

    private static func alias(_ row: Row) -> AgentAlias {
        AgentAlias(
            alias: row["alias"], version: row["version"], createdAt: StoreRows.date(row["created_at"]), updatedAt: StoreRows.date(row["updated_at"]))
    }

    // MARK: - Rows

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch { throw Self.mapped(error) }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch { throw Self.mapped(error) }
    }

    private static func mapped(_ error: any Error) -> any Error {
        if error is ChatEngineError || error is CancellationError { return error }
        return ChatEngineError(.storage, "SQLite: \(error)")
    }

    private static func conversation(_ row: Row) throws -> Conversation {
        Conversation(
            id: row["id"], userID: row["user_id"], sessionID: row["session_id"], agentName: row["agent_name"],
            agentVersion: row["agent_version"], restartedFrom: row["restarted_from"],
            pinnedFacts: try StoreRows.decodeFacts(row["pinned_facts"]),
            createdAt: StoreRows.date(row["created_at"]), updatedAt: StoreRows.date(row["updated_at"]), owner: row["owner"],
            details: try StoreRows.decodeDetails(row["details"]))
    }

    private static func document(_ row: Row) throws -> KnowledgeDocument {
        KnowledgeDocument(
            id: row["id"], knowledgeBase: row["knowledge_base"], source: row["source"], title: row["title"], content: row["content"],
            chunkCount: row["chunk_count"], ingestedAt: StoreRows.date(row["ingested_at"]), file: try StoreRows.decodeFile(row["file"]))
    }

    private static func entry(_ row: Row) throws -> ConversationEntry {
        ConversationEntry(
            id: row["id"], conversationID: row["conversation_id"], position: row["position"], kind: try StoreRows.kind(row["kind"]),
            content: row["content"], status: try StoreRows.status(row["status"]), toolCallID: row["tool_call_id"],
            toolName: row["tool_name"], toolArguments: row["tool_arguments"], model: row["model"],
            promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"], error: row["error"],
            feedback: StoreRows.feedback(rating: row["feedback_rating"], comment: row["feedback_comment"], at: row["feedback_at"]),
            citations: try StoreRows.decodeCitations(row["citations"]),
            createdAt: StoreRows.date(row["created_at"]), completedAt: (row["completed_at"] as Double?).map(StoreRows.date),
            lease: StoreRows.lease(owner: row["lease_owner"], until: row["lease_until"]))
    }
}
