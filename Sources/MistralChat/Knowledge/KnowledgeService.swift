import Foundation
import MistralKit
import Synchronization

/// Ingests documents into knowledge bases and retrieves from them: chunking by tokens with
/// overlap, embedding in batches (through the client, so its rate limiter and retries apply,
/// with bounded concurrency), and hybrid retrieval — vector similarity and full-text ranking
/// fused by reciprocal rank.
public final class KnowledgeService: Sendable {
    /// The client that embeds and reads PDFs, with its retries, limits and usage records.
    public let client: MistralClient
    /// Where knowledge bases, their documents and chunks are stored.
    public let store: any KnowledgeStore
    /// Texts per embeddings request.
    public let batchSize: Int
    /// Embeddings requests in flight at once while a document is ingested.
    public let maxConcurrency: Int
    private let loaded = Mutex<[String: Loaded]>([:])

    /// A knowledge base in memory: its vector index and what the ids point to, as of `revision`.
    private struct Loaded: Sendable {
        var revision: Int
        var index: VectorIndex
        var chunks: [String: (documentID: String, text: String)]
        var documents: [String: KnowledgeDocument]
    }

    /// The model that reads PDFs (through `POST /v1/ocr`).
    public let ocrModel: String

    /// A service embedding with `client` and storing in `store`; `batchSize` and
    /// `maxConcurrency` are raised to 1 when lower.
    public init(
        client: MistralClient, store: any KnowledgeStore, batchSize: Int = 16, maxConcurrency: Int = 4, ocrModel: String = "mistral-ocr-latest"
    ) {
        self.client = client
        self.store = store
        self.ocrModel = ocrModel
        self.batchSize = max(1, batchSize)
        self.maxConcurrency = max(1, maxConcurrency)
    }

    /// What an ingestion did.
    public enum Outcome: String, Sendable, Hashable {
        /// A new source.
        case added
        /// A changed source: its old chunks were replaced.
        case replaced
        /// The same text as stored: nothing was embedded or written.
        case unchanged
    }

    /// What ingesting one document did.
    public struct Report: Sendable, Hashable {
        /// The document's source (its path, or the name it was ingested under).
        public var source: String
        /// Whether it was added, replaced or unchanged.
        public var outcome: Outcome
        /// The chunks the document is stored as.
        public var chunks: Int
        /// The stored document's id.
        public var documentID: String
    }

    /// Creates a knowledge base in ``store``.
    ///
    /// - Throws: ``ChatEngineError`` `.invalidKnowledgeBase` for a bad or taken name, with nothing stored.
    public func create(_ base: KnowledgeBase) async throws {
        try await Self.create(base, in: store)
    }

    /// Creates a knowledge base in `store`, for programs that manage knowledge bases without a
    /// model client (creating one embeds nothing).
    ///
    /// - Throws: ``ChatEngineError`` `.invalidKnowledgeBase` for a bad or taken name, with nothing stored.
    public static func create(_ base: KnowledgeBase, in store: any KnowledgeStore) async throws {
        if base.name.isEmpty || base.name.count > 100 || base.name.contains(where: \.isWhitespace) {
            throw ChatEngineError(.invalidKnowledgeBase, "A knowledge base name is 1 to 100 characters without spaces.")
        }
        try await store.createKnowledgeBase(base)
    }

    /// Ingests the file at `url` (text, Markdown, HTML, or a PDF read by Mistral's OCR model) into
    /// `knowledgeBase`.
    ///
    /// - Throws: `.unreadableDocument` for a missing, oversized or binary file, or a PDF the OCR
    ///   endpoint refuses (corrupt, not a PDF) or finds no text in, and `.unknownKnowledgeBase`,
    ///   before anything is stored; a `MistralError` when OCR or embedding fails otherwise (the
    ///   stored version of the document, if any, is kept).
    public func ingest(file url: URL, into knowledgeBase: String, progress: (@Sendable (BatchProgress) -> Void)? = nil) async throws -> Report {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChatEngineError(.unreadableDocument, "Cannot read \(url.path): \(error.localizedDescription)")
        }
        return try await ingest(data: data, name: url.path, source: url.path, file: nil, into: knowledgeBase, progress: progress)
    }

    /// Ingests an uploaded file's bytes into `knowledgeBase` as a new document (an upload never
    /// replaces another), read as ``ingest(file:into:progress:)`` reads a file by its name.
    ///
    /// - Throws: as ``ingest(file:into:progress:)``, with nothing stored.
    public func ingest(upload data: Data, file: DocumentFile, into knowledgeBase: String) async throws -> Report {
        try await ingest(data: data, name: file.name, source: "upload:" + UUID().uuidString.lowercased(), file: file, into: knowledgeBase, progress: nil)
    }

    private func ingest(
        data: Data, name: String, source: String, file: DocumentFile?, into knowledgeBase: String, progress: (@Sendable (BatchProgress) -> Void)?
    ) async throws -> Report {
        if DocumentText.isPDF(data, name: name) {
            let text = try await readPDF(data, name: name, knowledgeBase: knowledgeBase)
            return try await ingest(
                text: text, source: source, title: DocumentText.title(ofMarkdown: text, name: name), into: knowledgeBase, file: file,
                progress: progress)
        }
        let (title, text) = try DocumentText.extract(data, name: name)
        return try await ingest(text: text, source: source, title: title, into: knowledgeBase, file: file, progress: progress)
    }

    /// The Markdown of a PDF, read by ``ocrModel``.
    private func readPDF(_ data: Data, name: String, knowledgeBase: String) async throws -> String {
        if data.count > DocumentText.maximumPDFBytes {
            throw ChatEngineError(
                .unreadableDocument, "\(name) is \(data.count) bytes, more than the \(DocumentText.maximumPDFBytes)-byte limit for a PDF.")
        }
        guard try await store.knowledgeBase(name: knowledgeBase) != nil else {
            throw ChatEngineError(.unknownKnowledgeBase, "There is no knowledge base '\(knowledgeBase)'.")
        }
        let response: OCRResponse
        do {
            response = try await client.ocr(
                OCRRequest(model: ocrModel, document: .pdf(data, name: (name as NSString).lastPathComponent)), tags: ["knowledge_base": knowledgeBase])
        } catch let error as MistralError where [.badRequest, .validation].contains(error.kind) {
            throw ChatEngineError(.unreadableDocument, "\(name) could not be read by OCR: \(error.message)")
        }
        let text = response.markdown.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw ChatEngineError(.unreadableDocument, "\(name) has no text that OCR could read.") }
        return text
    }

    /// Ingests `text` from `source` into `knowledgeBase`; see ``ingest(file:into:progress:)``.
    public func ingest(
        text: String, source: String, title: String, into knowledgeBase: String, file: DocumentFile? = nil,
        progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) async throws -> Report {
        guard let base = try await store.knowledgeBase(name: knowledgeBase) else {
            throw ChatEngineError(.unknownKnowledgeBase, "There is no knowledge base '\(knowledgeBase)'.")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ChatEngineError(.unreadableDocument, "\(source) has no text.")
        }
        let existing = try await store.document(knowledgeBase: knowledgeBase, source: source)
        if let existing, existing.content == text {
            return Report(source: source, outcome: .unchanged, chunks: existing.chunkCount, documentID: existing.id)
        }
        let pieces = TextChunker(chunkTokens: base.chunkTokens, overlapTokens: base.overlapTokens, counter: client.configuration.tokenCounter)
            .chunks(of: text)
        let batches = stride(from: 0, to: pieces.count, by: batchSize).map { Array(pieces[$0..<min(pieces.count, $0 + batchSize)]) }
        let client = self.client
        let results = await client.runBatch(batches, maxConcurrency: maxConcurrency, progress: progress) { batch in
            try await client.embeddings(EmbeddingRequest(model: base.embeddingModel, input: batch), tags: ["knowledge_base": knowledgeBase])
                .vectors
        }
        var vectors: [[Double]] = []
        for result in results { vectors += try result.get() }
        let document = KnowledgeDocument(
            id: existing?.id ?? KnowledgeDocument(knowledgeBase: knowledgeBase, source: source, title: title, content: text).id,
            knowledgeBase: knowledgeBase, source: source, title: title, content: text, chunkCount: pieces.count, file: file)
        let chunks = zip(pieces, vectors).enumerated().map { position, pair in
            KnowledgeChunk(documentID: document.id, position: position, text: pair.0, embedding: pair.1.map(Float.init))
        }
        try await store.replaceDocument(document, chunks: chunks)
        return Report(source: source, outcome: existing == nil ? .added : .replaced, chunks: chunks.count, documentID: document.id)
    }

    /// The `limit` chunks of `knowledgeBase` that best answer `query`: by meaning and by words,
    /// fused by reciprocal rank (k = 60).
    public func search(_ query: String, in knowledgeBase: String, limit: Int = 5) async throws -> [Citation] {
        guard let base = try await store.knowledgeBase(name: knowledgeBase) else {
            throw ChatEngineError(.unknownKnowledgeBase, "There is no knowledge base '\(knowledgeBase)'.")
        }
        let knowledge = try await load(knowledgeBase)
        guard knowledge.index.count > 0, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        let embedding = try await client.embeddings(EmbeddingRequest(model: base.embeddingModel, input: [query]), tags: ["knowledge_base": knowledgeBase])
            .vectors.first?.map(Float.init) ?? []
        let ranked = try await Self.rank(
            words: query, meaning: embedding, index: knowledge.index, store: store, knowledgeBase: knowledgeBase, limit: limit)
        return ranked.compactMap { id, score in
            guard let chunk = knowledge.chunks[id], let document = knowledge.documents[chunk.documentID] else { return nil }
            return Citation(chunkID: id, documentID: document.id, source: document.source, title: document.title, text: chunk.text, score: score)
        }
    }

    /// The hybrid ranking behind ``search(_:in:limit:)``, once the query is embedded: the best
    /// `limit` chunk ids with their fused scores. The store's full-text search runs while `index`
    /// is scanned on the cores it leaves free (one fewer than the machine has): scanning on every
    /// core beside it was slower (see BENCHMARKS.md, retrieval).
    public static func rank(
        words query: String, meaning embedding: [Float], index: VectorIndex, store: any KnowledgeStore, knowledgeBase: String, limit: Int
    ) async throws -> [(String, Double)] {
        let candidates = max(limit * 4, 20)
        async let byWords = store.searchText(knowledgeBase: knowledgeBase, query: query, limit: candidates)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let byMeaning = index.nearest(embedding, k: candidates, parallelism: cores - 1).map(\.id)
        return fuse([byMeaning, try await byWords], limit: limit)
    }

    /// Reciprocal rank fusion: each list gives `1 / (60 + rank)` to its items.
    public static func fuse(_ rankings: [[String]], limit: Int) -> [(String, Double)] {
        var scores: [String: Double] = [:]
        for ranking in rankings {
            for (rank, id) in ranking.enumerated() { scores[id, default: 0] += 1 / (60 + Double(rank + 1)) }
        }
        return scores.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map { ($0.key, $0.value) }
    }

    /// The knowledge base in memory, built again when the store's revision has moved (a document
    /// ingested here, or through another instance sharing the database).
    private func load(_ knowledgeBase: String) async throws -> Loaded {
        let revision = try await store.revision(knowledgeBase: knowledgeBase) ?? 0
        if let cached = loaded.withLock({ $0[knowledgeBase] }), cached.revision == revision { return cached }
        let chunks = try await store.chunks(knowledgeBase: knowledgeBase)
        let documents = try await store.documents(knowledgeBase: knowledgeBase)
        let knowledge = Loaded(
            revision: revision,
            index: VectorIndex(chunks: chunks.map { ($0.id, $0.embedding) }),
            chunks: Dictionary(uniqueKeysWithValues: chunks.map { ($0.id, ($0.documentID, $0.text)) }),
            documents: Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0) }))
        loaded.withLock { $0[knowledgeBase] = knowledge }
        return knowledge
    }
}
