import Foundation
import Logging
import MistralGatewayCore
import MistralKit
import Synchronization

/// The gate of every key seen, made on a key's first request with its budgets seeded from the
/// ledger, and remade when the key's limits change.
final class KeyGates: Sendable {
    private let ledger: any LedgerStore
    private let logger: Logger
    private let gates = Mutex<[String: Entry]>([:])

    private enum Entry {
        case ready(KeyGate)
        case opening(Task<KeyGate, any Error>, KeyLimits)
    }

    init(ledger: any LedgerStore, logger: Logger) {
        self.ledger = ledger
        self.logger = logger
    }

    /// The gate of `key`. Throws `GatewayStoreError` when its spending cannot be read.
    func gate(for key: VirtualKey) async throws -> KeyGate {
        let entry = gates.withLock { gates -> Entry in
            switch gates[key.id] {
            case .ready(let gate) where gate.limits == key.limits: return .ready(gate)
            case .opening(let task, let limits) where limits == key.limits: return .opening(task, limits)
            default:
                let task = Task { [ledger, logger] in
                    let now = Date()
                    let calendar = Self.utc
                    let day = calendar.startOfDay(for: now)
                    let month = calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? day
                    let spentToday = try await ledger.spentUSD(keyID: key.id, since: day)
                    let spentThisMonth = try await ledger.spentUSD(keyID: key.id, since: month)
                    return KeyGate(key: key, spentToday: spentToday, spentThisMonth: spentThisMonth, now: now, logger: logger)
                }
                gates[key.id] = .opening(task, key.limits)
                return .opening(task, key.limits)
            }
        }
        switch entry {
        case .ready(let gate):
            return gate
        case .opening(let task, let limits):
            do {
                let gate = try await task.value
                gates.withLock { gates in
                    if case .opening(_, let current) = gates[key.id], current == limits { gates[key.id] = .ready(gate) }
                }
                return gate
            } catch {
                gates.withLock { gates in
                    if case .opening(_, let current) = gates[key.id], current == limits { gates[key.id] = nil }
                }
                throw error
            }
        }
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
