import Foundation
import MistralGatewayCore
import MistralKit
import MistralStore
import MistralTestSupport
import Testing

/// `mistral usage --database`: the gateway's ledger, as stored by the store, reported by key,
/// owner, model and in total.
struct GatewayUsageCommandTests {
    func usage(_ arguments: [String], database: String) async throws -> ProcessResult {
        try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), ["usage", "--database", database] + arguments)
    }

    static func entry(key: String, owner: String, model: String, day: Int, cost: Double, outcome: String = "ok") -> LedgerEntry {
        LedgerEntry(
            id: "req-\(UUID().uuidString)", timestamp: Date(timeIntervalSince1970: 1_795_000_000 + Double(day) * 86_400), keyID: key,
            owner: owner, endpoint: "chat", requestedModel: model, model: model, provider: "mistral", promptTokens: 100,
            completionTokens: 20, costUSD: cost, estimated: false, status: outcome == "ok" ? 200 : 502, outcome: outcome,
            latencyMilliseconds: 300, tags: ["key": "not-the-key"])
    }

    @Test func usageReportsTheGatewayLedgerByKeyOwnerAndTotal() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("gateway.sqlite").path
            let store = try SQLiteGatewayStore(path: database)
            try await store.append([
                Self.entry(key: "key_a", owner: "acme", model: "mistral-small-latest", day: 0, cost: 0.25),
                Self.entry(key: "key_a", owner: "acme", model: "mistral-large-latest", day: 1, cost: 1.5),
                Self.entry(key: "key_b", owner: "acme", model: "mistral-small-latest", day: 1, cost: 0.5, outcome: "stream truncated"),
                Self.entry(key: "key_c", owner: "globex", model: "mistral-small-latest", day: 2, cost: 2),
            ])

            let byKey = try await usage(["--by", "key", "--format", "json"], database: database)
            #expect(byKey.status == 0, "\(byKey.stderr)")
            let document = try JSONCoding.decode(JSONValue.self, from: Array(byKey.stdout.utf8))
            #expect(document["database"]?.stringValue == database)
            #expect(document["grouping"] == "key")
            #expect(document["total"]?["requests"] == 4)
            #expect(document["total"]?["failed"] == 1)
            #expect(document["total"]?["prompt_tokens"] == 400)
            #expect(document["total"]?["completion_tokens"] == 80)
            #expect(document["total"]?["cost_usd"] == 4.25)
            // Rows by cost, highest first; the gateway's key wins over a caller's tag named `key`.
            #expect(document["rows"]?[0]?["key"] == "key_c")
            #expect(document["rows"]?[1]?["key"] == "key_a")
            #expect(document["rows"]?[1]?["requests"] == 2)
            #expect(document["rows"]?[1]?["cost_usd"] == 1.75)
            #expect(document["rows"]?[2]?["key"] == "key_b")

            let byOwner = try await usage(["--by", "owner", "--format", "csv"], database: database)
            #expect(byOwner.status == 0, "\(byOwner.stderr)")
            let lines = byOwner.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "owner,requests,failed,prompt_tokens,completion_tokens,cached_tokens,cost_usd,unpriced,estimated")
            #expect(lines.dropFirst() == ["acme,3,1,300,60,0,2.250000,0,0", "globex,1,0,100,20,0,2.000000,0,0"])

            let since = try await usage(["--by", "total", "--since", "2026-11-20", "--format", "json"], database: database)
            let recent = try JSONCoding.decode(JSONValue.self, from: Array(since.stdout.utf8))
            #expect(recent["total"]?["requests"] == 1, "\(since.stdout)")

            let table = try await usage(["--by", "model"], database: database)
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.hasPrefix("MODEL "), "\(table.stdout)")
            #expect(table.stdout.contains("mistral-large-latest"))

            let empty = try await usage([], database: directory.appendingPathComponent("empty.sqlite").path)
            #expect(empty.stdout.hasPrefix("No usage recorded in "), "\(empty.stdout)")
            let both = try await usage(["--ledger", "x.jsonl"], database: database)
            #expect(both.status == 64)
        }
    }
}
