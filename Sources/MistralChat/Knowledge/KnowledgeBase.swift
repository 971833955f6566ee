import Foundation

/// A named collection of documents the model answers from, like Mistral's Libraries: documents
/// are cut into overlapping chunks of about ``chunkTokens`` tokens, embedded with
/// ``embeddingModel``, and retrieved by meaning and by words together.
public struct KnowledgeBase: Sendable, Hashable, Codable {
    public var name: String
    public var embeddingModel: String
    /// Target chunk size, in tokens (by the client's token counter).
    public var chunkTokens: Int
    /// Tokens repeated at the start of each chunk from the end of the previous one.
    public var overlapTokens: Int
    public var createdAt: Date
    /// The tenant that made it through the service's Libraries API; `nil` for a program's own.
    public var owner: String?
    /// Its name and description as the Libraries API shows them (its ``name`` is then its id).
    public var displayName: String?
    public var description: String?

    public init(name: String, embeddingModel: String = "mistral-embed", chunkTokens: Int = 300, overlapTokens: Int = 50, createdAt: Date = Date()) {
        self.name = name
        self.embeddingModel = embeddingModel
        self.chunkTokens = max(16, chunkTokens)
        self.overlapTokens = min(max(0, overlapTokens), self.chunkTokens / 2)
        self.createdAt = createdAt
    }
}

/// One ingested document.
public struct KnowledgeDocument: Sendable, Hashable, Codable {
    public var id: String
    public var knowledgeBase: String
    /// Where it came from (a path or URL): re-ingesting the same source replaces it.
    public var source: String
    public var title: String
    /// The extracted text; re-ingesting identical text costs nothing.
    public var content: String
    public var chunkCount: Int
    public var ingestedAt: Date
    /// The uploaded file it was read from (name, type, size, hash), when it came as one.
    public var file: DocumentFile?

    public init(
        id: String = "doc_" + UUID().uuidString.lowercased(), knowledgeBase: String, source: String, title: String, content: String,
        chunkCount: Int = 0, ingestedAt: Date = Date(), file: DocumentFile? = nil
    ) {
        self.id = id
        self.knowledgeBase = knowledgeBase
        self.source = source
        self.title = title
        self.content = content
        self.chunkCount = chunkCount
        self.ingestedAt = ingestedAt
        self.file = file
    }
}

/// An uploaded document's file, as the Libraries API describes it.
public struct DocumentFile: Sendable, Hashable, Codable {
    public var name: String
    public var mimeType: String
    public var size: Int
    /// SHA-256 of the file's bytes, hexadecimal.
    public var sha256: String

    public init(name: String, mimeType: String, size: Int, sha256: String) {
        self.name = name
        self.mimeType = mimeType
        self.size = size
        self.sha256 = sha256
    }
}

/// A piece of a document with its embedding.
public struct KnowledgeChunk: Sendable, Hashable {
    public var id: String
    public var documentID: String
    public var position: Int
    public var text: String
    public var embedding: [Float]

    public init(id: String = "chunk_" + UUID().uuidString.lowercased(), documentID: String, position: Int, text: String, embedding: [Float]) {
        self.id = id
        self.documentID = documentID
        self.position = position
        self.text = text
        self.embedding = embedding
    }
}

/// A retrieved chunk, as cited in an answer.
public struct Citation: Sendable, Hashable, Codable {
    public var chunkID: String
    public var documentID: String
    public var source: String
    public var title: String
    public var text: String
    /// The fused rank score (higher is better).
    public var score: Double
}
