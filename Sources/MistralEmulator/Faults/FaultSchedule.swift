import Synchronization

/// Scripted faults, consumed one per request in arrival order; once empty, requests are served
/// normally. Tests can append more while the emulator runs.
final class FaultSchedule: Sendable {
    private let queue: Mutex<[EmulatorFault]>

    init(_ faults: [EmulatorFault]) { queue = Mutex(faults) }

    /// The next scheduled fault, removed from the schedule; `nil` when the schedule is empty.
    func next() -> EmulatorFault? {
        queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    func append(_ faults: [EmulatorFault]) { queue.withLock { $0 += faults } }

    var remaining: Int { queue.withLock { $0.count } }
}
