import Logging
import MistralGatewayCore
import Synchronization

/// Writes ledger rows off the request path: requests hand their row over and return; the
/// writer stores what has gathered every ``GatewayConfiguration/ledgerFlushInterval``, in one
/// transaction per batch.
///
/// A batch the database refuses is kept and tried again with the next one (an entry already
/// stored is skipped by the store, so nothing is counted twice). The gateway calls ``flush()``
/// once more after its server has drained its requests on shutdown, so a graceful stop loses
/// nothing; a crash loses at most the rows of one flush interval. While the database refuses
/// them, rows gather up to `maxBacklog`; past it ``isFull`` tells the gateway to stop serving.
public final class LedgerWriter: Sendable {
    private let store: any LedgerStore
    private let interval: Duration
    private let maxBacklog: Int
    private let logger: Logger
    private let pending = Mutex<[LedgerEntry]>([])
    private let written = Atomic<Int>(0)

    public init(store: any LedgerStore, interval: Duration, maxBacklog: Int = 100_000, logger: Logger) {
        self.store = store
        self.interval = interval
        self.maxBacklog = maxBacklog
        self.logger = logger
    }

    /// Queues one row; never blocks on the database.
    public func append(_ entry: LedgerEntry) {
        pending.withLock { $0.append(entry) }
    }

    /// Rows waiting to be written.
    public var backlog: Int { pending.withLock { $0.count } }
    /// Whether the backlog reached its bound: the database has refused rows for a while.
    public var isFull: Bool { backlog >= maxBacklog }
    /// Rows written since start.
    public var writtenCount: Int { written.load(ordering: .relaxed) }

    /// Flushes every interval until the task is cancelled (the final flush is the caller's).
    public func flushPeriodically() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await flush()
        }
    }

    /// Writes everything pending now; returns once it is stored (or kept after a failure).
    public func flush() async {
        let batch = pending.withLock { rows -> [LedgerEntry] in
            defer { rows.removeAll(keepingCapacity: true) }
            return rows
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.append(batch)
            written.add(batch.count, ordering: .relaxed)
        } catch {
            logger.warning("ledger flush failed; kept for the next one", metadata: ["rows": "\(batch.count)", "error": "\(error)"])
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
        }
    }
}
