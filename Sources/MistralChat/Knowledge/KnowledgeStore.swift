/// Where knowledge bases, their documents and chunks live. `MistralStore` implements it for
/// SQLite (FTS5) and PostgreSQL (full-text search) with one behaviour.
public protocol KnowledgeStore: Sendable {
    /// Creates a knowledge base; throws `.invalidKnowledgeBase` when the name is taken.
    func createKnowledgeBase(_ base: KnowledgeBase) async throws
    func knowledgeBase(name: String) async throws -> KnowledgeBase?
    func knowledgeBases() async throws -> [KnowledgeBase]
    /// The document ingested from `source`, if any.
    func document(knowledgeBase: String, source: String) async throws -> KnowledgeDocument?
    func documents(knowledgeBase: String) async throws -> [KnowledgeDocument]
    /// The document `id` of `knowledgeBase`, if any.
    func document(id: String, knowledgeBase: String) async throws -> KnowledgeDocument?
    /// Stores `document` with its `chunks`, replacing any document from the same source and its
    /// chunks, in one transaction.
    func replaceDocument(_ document: KnowledgeDocument, chunks: [KnowledgeChunk]) async throws
    /// A number that grows with every document stored in the knowledge base (`nil` when there is
    /// no such base): an instance compares it with the one its in-memory index was built at, so a
    /// document ingested through another instance is seen at the next search.
    func revision(knowledgeBase: String) async throws -> Int?
    /// Every chunk of a knowledge base, with embeddings (to build the vector index).
    func chunks(knowledgeBase: String) async throws -> [KnowledgeChunk]
    /// Full-text search: chunk ids of the best matches for any of `query`'s words, best first.
    func searchText(knowledgeBase: String, query: String, limit: Int) async throws -> [String]
    /// Deletes a document and its chunks (the base's revision grows); false when there was none.
    func deleteDocument(id: String, knowledgeBase: String) async throws -> Bool
    /// Deletes a knowledge base with its documents and chunks; false when there was none.
    func deleteKnowledgeBase(name: String) async throws -> Bool
    /// Saves a knowledge base's changed description fields (owner, display name, description);
    /// its name, chunking and documents stay. False when there is none.
    func updateKnowledgeBase(_ base: KnowledgeBase) async throws -> Bool
    /// Saves a document's new title (and file name); the base's revision grows, as indexes in
    /// memory hold titles. False when there is no such document.
    func renameDocument(id: String, knowledgeBase: String, title: String, file: DocumentFile?) async throws -> Bool
}
