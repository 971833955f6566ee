import Foundation
import MistralGatewayCore
import Testing

/// The behaviour every gateway store (keys and ledger) must have; run against memory, SQLite
/// and PostgreSQL alike.
///
/// A PostgreSQL database outlives one run, so every check names its own owners and keys and
/// looks only at what it created.
enum GatewayStoreSuite {
    static func run(_ store: any GatewayStore) async throws {
        try await keysAreFoundByIDAndByHash(store)
        try await takenIDsAndHashesConflict(store)
        try await updatesReplaceKeysAndUnknownOnesAreNotFound(store)
        try await revocationIsAnUpdateThatRefusesTheKey(store)
        try await changedKeysAreListedOldestChangeFirst(store)
        try await appendingTheSameBatchTwiceStoresItOnce(store)
        try await entriesAreFilteredOrderedAndPaged(store)
        try await spendIsSummedPerKeySinceATime(store)
        try await concurrentAppendsLoseNothing(store)
    }

    static let base = Date(timeIntervalSince1970: 1_795_000_000.125)

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

    static func newKey(owner: String, createdAt: Date = base, limits: KeyLimits = KeyLimits()) -> (key: VirtualKey, secret: String) {
        let secret = KeySecret()
        return (VirtualKey(name: "support-bot", owner: owner, prefix: secret.prefix, secretHash: secret.hash, limits: limits, createdAt: createdAt), secret.secret)
    }

    static func entry(
        _ id: String = unique("req"), key: VirtualKey, at timestamp: Date, cost: Double = 0.25, model: String = "mistral-small-latest"
    ) -> LedgerEntry {
        LedgerEntry(
            id: id, timestamp: timestamp, keyID: key.id, owner: key.owner, endpoint: "chat", requestedModel: "small", model: model,
            provider: "mistral", promptTokens: 12, completionTokens: 7, costUSD: cost, estimated: false, status: 200, outcome: "ok",
            latencyMilliseconds: 120.5)
    }

    static func keysAreFoundByIDAndByHash(_ store: any GatewayStore) async throws {
        let owner = unique("owner")
        let limits = KeyLimits(
            models: ["mistral-small-latest", "codestral-latest"], requestsPerMinute: 60, tokensPerMinute: 100_000, maxConcurrent: 4,
            dailyBudgetUSD: 5, monthlyBudgetUSD: 100.5, dailySoftBudgetUSD: 4, monthlySoftBudgetUSD: 80, priority: .batch)
        // Created out of order: listings follow creation time, not insertion.
        let generated = newKey(owner: owner, createdAt: base.addingTimeInterval(2), limits: limits)
        var third = generated.key
        third.expiresAt = base.addingTimeInterval(86_400.5)
        let (first, _) = newKey(owner: owner, createdAt: base)
        let (second, _) = newKey(owner: owner, createdAt: base.addingTimeInterval(1))
        for key in [third, first, second] { try await store.createKey(key) }

        #expect(try await store.key(id: third.id) == third)
        #expect(try await store.key(secretHash: KeySecret.hash(generated.secret)) == third)
        #expect(try await store.key(id: "key_missing") == nil)
        #expect(try await store.key(secretHash: KeySecret.hash("mk-not-a-key")) == nil)
        #expect(try await store.keys(owner: owner).map(\.id) == [first.id, second.id, third.id])
        let ids: Set = [first.id, second.id, third.id]
        #expect(try await store.keys(owner: nil).filter { ids.contains($0.id) }.map(\.id) == [first.id, second.id, third.id])
        #expect(try await store.keys(owner: unique("nobody")).isEmpty)
    }

    static func takenIDsAndHashesConflict(_ store: any GatewayStore) async throws {
        let (key, _) = newKey(owner: unique("owner"))
        try await store.createKey(key)
        let (other, _) = newKey(owner: key.owner)

        var sameID = other
        sameID.id = key.id
        let idClash = await #expect(throws: GatewayStoreError.self) { try await store.createKey(sameID) }
        #expect(idClash?.kind == .conflict)

        var sameHash = other
        sameHash.secretHash = key.secretHash
        let hashClash = await #expect(throws: GatewayStoreError.self) { try await store.createKey(sameHash) }
        #expect(hashClash?.kind == .conflict)
        #expect(try await store.key(id: key.id) == key)
        #expect(try await store.key(id: sameHash.id) == nil)
    }

    static func updatesReplaceKeysAndUnknownOnesAreNotFound(_ store: any GatewayStore) async throws {
        let (original, _) = newKey(owner: unique("owner"), limits: KeyLimits(requestsPerMinute: 10))
        try await store.createKey(original)
        var changed = original
        changed.name = "support-bot-prod"
        changed.limits.requestsPerMinute = nil
        changed.limits.dailyBudgetUSD = 2.5
        changed.limits.models = ["mistral-large-latest"]
        changed.updatedAt = base.addingTimeInterval(60)
        try await store.updateKey(changed)
        #expect(try await store.key(id: original.id) == changed)
        #expect(try await store.key(secretHash: original.secretHash) == changed)

        let (missing, _) = newKey(owner: original.owner)
        let notFound = await #expect(throws: GatewayStoreError.self) { try await store.updateKey(missing) }
        #expect(notFound?.kind == .notFound)
        #expect(try await store.key(id: missing.id) == nil)

        // Taking another key's hash is a conflict, and changes nothing.
        let (other, _) = newKey(owner: original.owner)
        try await store.createKey(other)
        var thief = other
        thief.secretHash = original.secretHash
        let conflict = await #expect(throws: GatewayStoreError.self) { try await store.updateKey(thief) }
        #expect(conflict?.kind == .conflict)
        #expect(try await store.key(id: other.id) == other)
    }

    static func revocationIsAnUpdateThatRefusesTheKey(_ store: any GatewayStore) async throws {
        let (key, secret) = newKey(owner: unique("owner"))
        try await store.createKey(key)
        let revokedAt = base.addingTimeInterval(3_600.75)
        var revoked = key
        revoked.revokedAt = revokedAt
        revoked.updatedAt = revokedAt
        try await store.updateKey(revoked)
        let stored = try #require(try await store.key(secretHash: KeySecret.hash(secret)))
        #expect(stored.revokedAt == revokedAt)
        #expect(stored.refusal(at: revokedAt) == "revoked")
        #expect(stored.refusal(at: revokedAt.addingTimeInterval(-1)) == nil)

        var expiring = newKey(owner: key.owner).key
        expiring.expiresAt = base.addingTimeInterval(10)
        try await store.createKey(expiring)
        let expired = try #require(try await store.key(id: expiring.id))
        #expect(expired.refusal(at: base.addingTimeInterval(10)) == "expired")
        #expect(expired.refusal(at: base) == nil)
    }

    static func changedKeysAreListedOldestChangeFirst(_ store: any GatewayStore) async throws {
        let owner = unique("owner")
        let start = base.addingTimeInterval(1_000_000)
        var keys: [VirtualKey] = []
        for offset in [30.0, 10, 20, 20] {
            var key = newKey(owner: owner, createdAt: base).key
            key.updatedAt = start.addingTimeInterval(offset)
            try await store.createKey(key)
            keys.append(key)
        }
        let ours = Set(keys.map(\.id))
        // Equal change times come by id.
        let tied = [keys[2], keys[3]].sorted { $0.id < $1.id }.map(\.id)
        #expect(try await store.keys(changedSince: start.addingTimeInterval(20)).filter { ours.contains($0.id) }.map(\.id) == tied + [keys[0].id])
        #expect(try await store.keys(changedSince: start.addingTimeInterval(30.5)).filter { ours.contains($0.id) }.isEmpty)

        var touched = keys[1]
        touched.limits.maxConcurrent = 2
        touched.updatedAt = start.addingTimeInterval(40)
        try await store.updateKey(touched)
        let changed = try await store.keys(changedSince: start.addingTimeInterval(20)).filter { ours.contains($0.id) }
        #expect(changed.map(\.id) == tied + [keys[0].id, touched.id])
        #expect(changed.last == touched)
    }

    static func appendingTheSameBatchTwiceStoresItOnce(_ store: any GatewayStore) async throws {
        let key = newKey(owner: unique("owner")).key
        var full = entry(key: key, at: base.addingTimeInterval(2), cost: 0.5)
        full.provider = nil
        full.cachedTokens = 3
        full.estimated = true
        full.status = 200
        full.outcome = "stream truncated"
        full.timeToFirstTokenMilliseconds = 80.25
        full.cacheHit = true
        full.fallback = "mistral/mistral-large-latest"
        full.upstreamRequestID = "upstream-1"
        full.tags = ["feature": "faq", "user": "alice, the \"first\""]
        let batch = [entry(key: key, at: base), entry(key: key, at: base.addingTimeInterval(1)), full]

        try await store.append(batch)
        try await store.append(batch)
        try await store.append([])
        #expect(try await store.entries(LedgerQuery(keyID: key.id)) == batch)

        // A batch holding a stored row and one row twice adds the new row once.
        let late = entry(key: key, at: base.addingTimeInterval(3))
        try await store.append([batch[0], late, late])
        #expect(try await store.entries(LedgerQuery(keyID: key.id)) == batch + [late])
    }

    static func entriesAreFilteredOrderedAndPaged(_ store: any GatewayStore) async throws {
        let alice = newKey(owner: unique("alice")).key
        let bob = newKey(owner: unique("bob")).key
        var rows: [LedgerEntry] = []
        for second in 0..<10 {
            rows.append(entry(key: second.isMultiple(of: 2) ? alice : bob, at: base.addingTimeInterval(Double(second))))
        }
        // Two rows at the same instant come by id.
        rows.append(entry("\(unique("req"))-b", key: alice, at: base.addingTimeInterval(4)))
        rows.append(entry("\(unique("req"))-a", key: alice, at: base.addingTimeInterval(4)))
        try await store.append(rows.shuffled())

        let aliceRows = rows.filter { $0.keyID == alice.id }.sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        let aliceStored = try await store.entries(LedgerQuery(keyID: alice.id))
        #expect(aliceStored == aliceRows)
        #expect(aliceStored.count == 7)
        #expect(try await store.entries(LedgerQuery(owner: bob.owner)).map(\.id) == rows.filter { $0.keyID == bob.id }.map(\.id))
        #expect(try await store.entries(LedgerQuery(keyID: alice.id, owner: bob.owner)).isEmpty)

        // `since` is inclusive, `until` exclusive.
        let window = try await store.entries(LedgerQuery(keyID: alice.id, since: base.addingTimeInterval(2), until: base.addingTimeInterval(6)))
        #expect(window.map(\.id) == aliceRows.filter { $0.timestamp >= base.addingTimeInterval(2) && $0.timestamp < base.addingTimeInterval(6) }.map(\.id))
        #expect(window.count == 4)

        let page = try await store.entries(LedgerQuery(keyID: alice.id, limit: 3, offset: 2))
        #expect(page == Array(aliceRows[2..<5]))
        #expect(try await store.entries(LedgerQuery(keyID: alice.id, limit: 3, offset: 6)) == [aliceRows[6]])
        #expect(try await store.entries(LedgerQuery(keyID: alice.id, limit: 0)).isEmpty)
        #expect(try await store.entries(LedgerQuery(keyID: alice.id, limit: 2, offset: -5)) == Array(aliceRows[0..<2]))
    }

    static func spendIsSummedPerKeySinceATime(_ store: any GatewayStore) async throws {
        let key = newKey(owner: unique("owner")).key
        let other = newKey(owner: key.owner).key
        try await store.append([
            entry(key: key, at: base, cost: 1), entry(key: key, at: base.addingTimeInterval(10), cost: 0.25),
            entry(key: key, at: base.addingTimeInterval(20), cost: 0.125), entry(key: other, at: base.addingTimeInterval(20), cost: 8),
        ])
        #expect(try await store.spentUSD(keyID: key.id, since: base) == 1.375)
        #expect(try await store.spentUSD(keyID: key.id, since: base.addingTimeInterval(10)) == 0.375)
        #expect(try await store.spentUSD(keyID: key.id, since: base.addingTimeInterval(21)) == 0)
        #expect(try await store.spentUSD(keyID: "key_missing", since: base) == 0)
    }

    static func concurrentAppendsLoseNothing(_ store: any GatewayStore) async throws {
        let key = newKey(owner: unique("owner")).key
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<10 {
                group.addTask {
                    let batch = (0..<20).map { index in
                        entry(key: key, at: base.addingTimeInterval(Double(task * 20 + index)), cost: 0.5)
                    }
                    try await store.append(batch)
                    // Retried, as a flusher would after a lost reply.
                    try await store.append(Array(batch.prefix(5)))
                }
            }
            try await group.waitForAll()
        }
        let stored = try await store.entries(LedgerQuery(keyID: key.id, limit: LedgerQuery.maximumLimit))
        #expect(stored.count == 200)
        #expect(Set(stored.map(\.id)).count == 200)
        #expect(try await store.spentUSD(keyID: key.id, since: base) == 100)
    }
}
