import Foundation
import Synchronization

/// Keeps a pending answer alive in the store while it is produced: every second it writes what
/// has streamed so far (when it grew), and every few seconds it renews the answer's lease, so a
/// crash loses at most about a second of a long answer and leaves a lease that runs out (the
/// answer is then marked abandoned by the next process that opens the conversation).
///
/// Stop it (cancel its ``run()`` task and await it) before the answer's final write, so a late
/// checkpoint never overwrites it. A failed write is left for the next second or the final write.
final class AnswerKeeper: Sendable {
    private let store: any ConversationStore
    private let lease: @Sendable () -> TurnLease
    private let state: Mutex<State>

    private struct State {
        var entry: ConversationEntry
        var text = ""
        var written = 0
        var lastRenewal = ContinuousClock.now
    }

    /// How often the lease is renewed while nothing new has streamed.
    static let renewal: Duration = .seconds(5)

    init(output: ConversationEntry, store: any ConversationStore, lease: @escaping @Sendable () -> TurnLease) {
        self.store = store
        self.lease = lease
        self.state = Mutex(State(entry: output))
    }

    /// A piece of the answer arrived.
    func received(_ piece: String) {
        state.withLock { $0.text += piece }
    }

    /// Checkpoints every second until cancelled.
    func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            let lease = lease()
            let checkpoint = state.withLock { state -> ConversationEntry? in
                let grew = state.text.utf8.count != state.written
                guard grew || ContinuousClock.now - state.lastRenewal >= Self.renewal else { return nil }
                state.entry.content = state.text
                state.entry.lease = lease
                state.written = state.text.utf8.count
                state.lastRenewal = .now
                return state.entry
            }
            if let checkpoint, !Task.isCancelled { try? await store.update(checkpoint) }
        }
    }
}
