import Foundation
import MistralChat
import MistralKit

/// The column values both databases store, and the conversions to and from the domain types,
/// so SQLite and PostgreSQL keep exactly the same data.
enum StoreRows {
    /// Dates are stored as a double of seconds since Foundation's reference date (2001-01-01
    /// UTC) in both databases: the one form that gives back exactly the `Date` stored.
    static func seconds(_ date: Date) -> Double { date.timeIntervalSinceReferenceDate }
    static func date(_ seconds: Double) -> Date { Date(timeIntervalSinceReferenceDate: seconds) }

    static func encodeFacts(_ facts: [String]) throws -> String {
        String(decoding: try JSONCoding.encode(facts), as: UTF8.self)
    }

    static func decodeFacts(_ text: String) throws -> [String] {
        try JSONCoding.decode([String].self, from: Array(text.utf8))
    }

    /// A conversation's details as JSON; `nil` (nothing stored) when they are all empty.
    static func encodeDetails(_ details: ConversationDetails) throws -> String? {
        guard details != ConversationDetails() else { return nil }
        return String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
    }

    static func decodeDetails(_ text: String?) throws -> ConversationDetails {
        guard let text else { return ConversationDetails() }
        return try JSONDecoder().decode(ConversationDetails.self, from: Data(text.utf8))
    }

    static func encodeFile(_ file: DocumentFile?) throws -> String? {
        try file.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    static func decodeFile(_ text: String?) throws -> DocumentFile? {
        try text.map { try JSONDecoder().decode(DocumentFile.self, from: Data($0.utf8)) }
    }

    /// The error of an answer whose process stopped before it was produced.
    static let abandoned = "abandoned: the process producing this answer stopped before it finished"

    static func lease(owner: String?, until: Double?) -> TurnLease? {
        guard let owner, let until else { return nil }
        return TurnLease(owner: owner, until: date(until))
    }

    static func encodeAgent(_ agent: Agent) throws -> String {
        String(decoding: try JSONEncoder().encode(agent), as: UTF8.self)
    }

    static func decodeAgent(_ text: String) throws -> Agent {
        try JSONDecoder().decode(Agent.self, from: Data(text.utf8))
    }

    /// Fails with a clear error when a stored value is not one the domain knows.
    static func kind(_ raw: String) throws -> ConversationEntry.Kind {
        guard let kind = ConversationEntry.Kind(rawValue: raw) else {
            throw ChatEngineError(.storage, "A stored entry has the unknown kind '\(raw)'.")
        }
        return kind
    }

    static func status(_ raw: String) throws -> ConversationEntry.Status {
        guard let status = ConversationEntry.Status(rawValue: raw) else {
            throw ChatEngineError(.storage, "A stored entry has the unknown status '\(raw)'.")
        }
        return status
    }

    static func feedback(rating: String?, comment: String?, at: Double?) -> Feedback? {
        guard let rating, let value = Feedback.Rating(rawValue: rating) else { return nil }
        return Feedback(rating: value, comment: comment, createdAt: date(at ?? 0))
    }

    /// Embeddings as little-endian Float32 bytes.
    static func embeddingBytes(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func embedding(_ data: Data) -> [Float] {
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { offset in
            Float(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
        }
    }

    /// The words of a full-text query, lower-cased letters and digits only (so no query syntax
    /// gets through), at most 32, without stop words ("what", "are", "my"; "les", "est") unless
    /// the query has nothing else.
    ///
    /// A stop word is in most chunks of a real knowledge base, so ranking it scores most of the
    /// base for almost no weight: over 100,000 chunks, a question with three such words took FTS5
    /// about 150 times longer than its other words alone (BENCHMARKS.md, retrieval).
    static func searchTerms(_ query: String) -> [String] {
        let words = query.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        let meaningful = words.filter { !stopWords.contains($0) }
        return Array((meaningful.isEmpty ? words : meaningful).prefix(32))
    }

    /// The commonest function words of English and French (Mistral's two first languages).
    static let stopWords: Set<String> = [
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could",
        "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is", "it",
        "its", "me", "my", "no", "not", "of", "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then", "there",
        "these", "they", "this", "those", "to", "us", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will",
        "with", "would", "you", "your",
        "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il", "je", "la", "le", "les",
        "leur", "lui", "ma", "mais", "mes", "mon", "ne", "nous", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa",
        "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "ton", "tu", "un", "une", "vos", "votre", "vous",
    ]

    /// Citations as JSON text; `nil` when there are none.
    static func encodeCitations(_ citations: [Citation]) throws -> String? {
        citations.isEmpty ? nil : String(decoding: try JSONEncoder().encode(citations), as: UTF8.self)
    }

    static func decodeCitations(_ text: String?) throws -> [Citation] {
        guard let text else { return [] }
        return try JSONDecoder().decode([Citation].self, from: Data(text.utf8))
    }

    static func encodeBase(_ base: KnowledgeBase) throws -> String {
        String(decoding: try JSONEncoder().encode(base), as: UTF8.self)
    }

    static func decodeBase(_ text: String) throws -> KnowledgeBase {
        try JSONDecoder().decode(KnowledgeBase.self, from: Data(text.utf8))
    }

    static func takenKnowledgeBase(_ name: String) -> ChatEngineError {
        ChatEngineError(.invalidKnowledgeBase, "A knowledge base named '\(name)' already exists.")
    }

    static func unknownKnowledgeBase(_ name: String) -> ChatEngineError {
        ChatEngineError(.unknownKnowledgeBase, "There is no knowledge base '\(name)'.")
    }

    static func unknownAgentVersion(_ name: String, _ version: Int) -> ChatEngineError {
        ChatEngineError(.unknownAgent, "Agent \(name) has no version \(version).")
    }

    static func unknownConversation(_ id: String) -> ChatEngineError {
        ChatEngineError(.unknownConversation, "There is no conversation \(id).")
    }

    static func unknownEntry(_ id: String) -> ChatEngineError {
        ChatEngineError(.unknownEntry, "There is no entry \(id).")
    }
}
