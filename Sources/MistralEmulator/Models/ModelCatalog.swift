import MistralKit
import Synchronization

/// The models one emulator instance serves, found by id or alias. Deleting a fine-tuned model
/// removes it for the rest of the instance's life; base models cannot be deleted.
final class ModelCatalog: Sendable {
    private let cards: Mutex<[ModelCard]>
    private let embeddingDimensions: [String: Int]

    init(cards: [ModelCard], embeddingDimensions: [String: Int]) {
        self.cards = Mutex(cards)
        self.embeddingDimensions = embeddingDimensions
    }

    /// Every model, in configuration order.
    var all: [ModelCard] { cards.withLock { $0 } }

    /// The card whose id or alias is `name`.
    func card(named name: String) -> ModelCard? {
        cards.withLock { cards in cards.first { $0.id == name || ($0.aliases ?? []).contains(name) } }
    }

    /// The default embedding dimension of `name` (by its own name, id or aliases), or `nil`
    /// when it is not an embedding model.
    func embeddingDimension(of name: String) -> Int? {
        if let dimension = embeddingDimensions[name] { return dimension }
        guard let card = card(named: name) else { return nil }
        return ([card.id] + (card.aliases ?? [])).lazy.compactMap { self.embeddingDimensions[$0] }.first
    }

    /// The outcome of a delete.
    enum Deletion {
        case deleted(ModelCard)
        case notFound
        case baseModel
    }

    /// Deletes the fine-tuned model named `name`.
    func delete(_ name: String) -> Deletion {
        cards.withLock { cards in
            guard let position = cards.firstIndex(where: { $0.id == name || ($0.aliases ?? []).contains(name) }) else {
                return .notFound
            }
            guard cards[position].type == "fine-tuned" else { return .baseModel }
            return .deleted(cards.remove(at: position))
        }
    }
}
