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

    static func unknownConversation(_ id: String) -> ChatEngineError {
        ChatEngineError(.unknownConversation, "There is no conversation \(id).")
    }

    static func unknownEntry(_ id: String) -> ChatEngineError {
        ChatEngineError(.unknownEntry, "There is no entry \(id).")
    }
}
