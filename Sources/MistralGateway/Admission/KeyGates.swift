import Foundation
import Logging
import MistralGatewayCore
import MistralKit
import Synchronization

/// The gate of every key seen, made on a key's first request with its budgets seeded from the
/// ledger, and remade when the key's limits change, taking over what the old gate counted
/// (spending, reservations, requests in flight) so a limit change forgets nothing.
final class KeyGates: Sendable {
    private let ledger: any LedgerStore
    private let logger: Logger
    private let gates = Mutex<[String: Entry]>([:])

    private enum Entry {
        case ready(KeyGate)
        case opening(Task<KeyGate, any Error>)
    }

    init(ledger: any LedgerStore, logger: Logger) {
        self.ledger = ledger
        self.logger = logger
    }

    /// The gate of `key`. Throws `GatewayStoreError` when its spending cannot be read.
    func gate(for key: VirtualKey) async throws -> KeyGate {
        while true {
            let entry = gates.withLock { gates -> Entry in
                switch gates[key.id] {
                case .ready(let gate) where gate.limits != key.limits:
                    let replacement = KeyGate(key: key, replacing: gate)
                    gates[key.id] = .ready(replacement)
                    return .ready(replacement)
                case .some(let entry):
                    return entry
                case nil:
                    let task = Task { [ledger, logger] in try await Self.firstGate(for: key, ledger: ledger, logger: logger) }
                    gates[key.id] = .opening(task)
                    return .opening(task)
                }
            }
            switch entry {
            case .ready(let gate):
                return gate
            case .opening(let task):
                do {
                    let gate = try await task.value
                    gates.withLock { gates in
                        if case .opening(let current) = gates[key.id], current == task { gates[key.id] = .ready(gate) }
                    }
                    // Opened for the limits of its first request; the next turn remakes it if they changed.
                    if gate.limits == key.limits { return gate }
                } catch {
                    gates.withLock { gates in
                        if case .opening(let current) = gates[key.id], current == task { gates[key.id] = nil }
                    }
                    throw error
                }
            }
        }
    }

    private static func firstGate(for key: VirtualKey, ledger: any LedgerStore, logger: Logger) async throws -> KeyGate {
        let now = Date()
        let day = utc.startOfDay(for: now)
        let month = utc.date(from: utc.dateComponents([.year, .month], from: now)) ?? day
        let spentToday = try await ledger.spentUSD(keyID: key.id, since: day)
        let spentThisMonth = try await ledger.spentUSD(keyID: key.id, since: month)
        return KeyGate(key: key, spentToday: spentToday, spentThisMonth: spentThisMonth, now: now, logger: logger)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
