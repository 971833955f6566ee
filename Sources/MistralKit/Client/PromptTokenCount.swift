import Synchronization

/// A call's prompt-token count, computed the first time something asks for it and kept.
///
/// Most calls never ask: without a rate limiter on tokens, a budget or an exact tokenizer, and
/// with the server reporting usage, the count is not needed, and estimating it walks every
/// message (about 5 µs for a short chat, more for long ones).
final class PromptTokenCount: Sendable {
    private let count: @Sendable () -> Int
    private let cached = Mutex<Int?>(nil)

    init(_ count: @escaping @Sendable () -> Int) {
        self.count = count
    }

    static let zero = PromptTokenCount { 0 }

    var value: Int {
        if let known = cached.withLock({ $0 }) { return known }
        let counted = count()
        cached.withLock { $0 = counted }
        return counted
    }
}
