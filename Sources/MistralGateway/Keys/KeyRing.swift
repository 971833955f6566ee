import Foundation
import Logging
import MistralGatewayCore
import ServiceLifecycle
import Synchronization

/// The keys an instance accepts, held in memory so authenticating a request costs a hash and
/// a lookup, never a database round trip.
///
/// A caller's secret is hashed (SHA-256) and looked up by its hash: the secret itself is never
/// compared, so the comparison's timing tells nothing about it. Keys created, changed or revoked
/// elsewhere (the CLI, another instance) are picked up every ``GatewayConfiguration/keyRefreshInterval``;
/// a hash not in memory is looked up in the store once per refresh, so a key created a moment
/// ago works at once and an unknown one costs one query per interval, not one per request.
public final class KeyRing: Service {
    private let store: any KeyStore
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var byHash: [String: VirtualKey] = [:]
        /// The same keys by id (what an end-user token names).
        var byID: [String: VirtualKey] = [:]
        /// Hashes looked up and not found since the last refresh.
        var unknown: Set<String> = []
        var lastChange = Date.distantPast
    }

    public init(store: any KeyStore, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Loads every key; call before serving.
    public func load() async throws {
        let keys = try await store.keys(owner: nil)
        state.withLock { state in
            for key in keys {
                state.byHash[key.secretHash] = key
                state.byID[key.id] = key
            }
            state.lastChange = keys.map(\.updatedAt).max() ?? .distantPast
        }
    }

    /// The key a bearer secret names, usable or not (the caller checks ``VirtualKey/refusal(at:)``);
    /// `nil` when no key has that secret.
    public func key(forSecret secret: String) async -> VirtualKey? {
        let hash = KeySecret.hash(secret)
        let cached = state.withLock { state -> (VirtualKey?, Bool) in (state.byHash[hash], state.unknown.contains(hash)) }
        if let key = cached.0 { return key }
        if cached.1 { return nil }
        do {
            if let key = try await store.key(secretHash: hash) {
                state.withLock {
                    $0.byHash[hash] = key
                    $0.byID[key.id] = key
                }
                return key
            }
        } catch {
            logger.warning("key lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
        state.withLock { _ = $0.unknown.insert(hash) }
        return nil
    }

    /// The key with `id` among those held (as the last refresh saw it), usable or not.
    public func key(id: String) -> VirtualKey? {
        state.withLock { $0.byID[id] }
    }

    /// Picks up keys changed since the last refresh.
    public func refresh() async {
        let since = state.withLock { $0.lastChange }
        do {
            // A change stamped in the same instant as the last one seen is read again: cheap, and never missed.
            let changed = try await store.keys(changedSince: since)
            state.withLock { state in
                for key in changed {
                    state.byHash[key.secretHash] = key
                    state.byID[key.id] = key
                }
                state.lastChange = max(state.lastChange, changed.map(\.updatedAt).max() ?? since)
                state.unknown.removeAll(keepingCapacity: true)
            }
        } catch {
            logger.warning("key refresh failed; serving with the keys already loaded", metadata: ["error": "\(error)"])
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: self.interval) } catch { break }
                await self.refresh()
            }
        }
    }
}
