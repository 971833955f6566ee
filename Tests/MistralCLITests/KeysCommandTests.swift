import Foundation
import MistralGatewayCore
import MistralKit
import MistralStore
import MistralTestSupport
import Testing

/// `mistral keys create|list|update|revoke` end to end, against a temporary SQLite database.
struct KeysCommandTests {
    func mistral(_ arguments: [String], database: String) async throws -> ProcessResult {
        try await ProcessRunner.run(try ProcessRunner.builtProduct("mistral"), arguments + ["--database", database])
    }

    func created(_ result: ProcessResult) throws -> (id: String, secret: String) {
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("\n") && !result.stdout.hasSuffix("\n\n"), "nothing may follow the secret")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let secret = try #require(lines.last)
        let id = try #require(result.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        return (id, secret)
    }

    @Test func createPrintsTheSecretLastAndListNeverShowsIt() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("gateway.sqlite").path
            let result = try await mistral(
                [
                    "keys", "create", "--name", "support-bot", "--owner", "acme", "--rpm", "60", "--daily-budget", "5",
                    "--models", "mistral-small-latest, codestral-latest", "--priority", "batch", "--expires-in-days", "30",
                ], database: database)
            let (id, secret) = try created(result)
            #expect(id.hasPrefix("key_"), "\(result.stdout)")
            #expect(secret.wholeMatch(of: /mk-[0-9A-Za-z]{40}/) != nil, "\(result.stdout)")
            #expect(result.stdout.components(separatedBy: secret).count == 2, "the secret is printed once")
            #expect(result.stdout.contains("limits   60 rpm, $5.00 daily, models mistral-small-latest,codestral-latest, batch"), "\(result.stdout)")

            // What the database holds: the hash and the prefix, never the secret.
            let store = try SQLiteGatewayStore(path: database)
            let stored = try #require(try await store.key(secretHash: KeySecret.hash(secret)))
            #expect(stored.id == id)
            #expect(stored.prefix == KeySecret.prefix(of: secret))
            #expect(stored.limits == KeyLimits(
                models: ["mistral-small-latest", "codestral-latest"], requestsPerMinute: 60, dailyBudgetUSD: 5, priority: .batch))
            let expiresIn = try #require(stored.expiresAt).timeIntervalSinceNow
            #expect(abs(expiresIn - 30 * 86_400) < 120)

            _ = try created(try await mistral(["keys", "create", "--name", "other"], database: database))
            let unshown = String(secret.dropFirst(stored.prefix.count))
            let table = try await mistral(["keys", "list"], database: database)
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.hasPrefix("ID "))
            #expect(table.stdout.contains(id) && table.stdout.contains(stored.prefix) && table.stdout.contains(" active "), "\(table.stdout)")
            #expect(!table.stdout.contains(unshown) && !table.stdout.contains(stored.secretHash))

            let json = try await mistral(["keys", "list", "--owner", "acme", "--format", "json"], database: database)
            #expect(json.status == 0, "\(json.stderr)")
            #expect(!json.stdout.contains(unshown) && !json.stdout.contains(stored.secretHash))
            let listed = try JSONCoding.decode(JSONValue.self, from: Array(json.stdout.utf8))
            guard case .array(let keys) = listed else { Issue.record("not an array: \(json.stdout)"); return }
            #expect(keys.count == 1)
            #expect(keys.first?["id"]?.stringValue == id)
            #expect(keys.first?["state"] == "active")
            #expect(keys.first?["limits"]?["requests_per_minute"] == 60)
            #expect(keys.first?["limits"]?["priority"] == "batch")
        }
    }

    @Test func revokeChangesTheStateAndIsKeptInTheList() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("gateway.sqlite").path
            let (id, secret) = try created(try await mistral(["keys", "create", "--name", "temp"], database: database))
            let revoked = try await mistral(["keys", "revoke", id], database: database)
            #expect(revoked.status == 0, "\(revoked.stderr)")
            #expect(revoked.stdout == "Revoked \(id) \"temp\".\n")
            let again = try await mistral(["keys", "revoke", id], database: database)
            #expect(again.status == 0)
            #expect(again.stdout.contains("was already revoked"))

            let list = try await mistral(["keys", "list", "--format", "json"], database: database)
            let listed = try JSONCoding.decode(JSONValue.self, from: Array(list.stdout.utf8))
            #expect(listed[0]?["state"] == "revoked")
            #expect(listed[0]?["revoked_at"]?.stringValue != nil)
            let key = try #require(try await SQLiteGatewayStore(path: database).key(secretHash: KeySecret.hash(secret)))
            #expect(key.refusal(at: Date()) == "revoked")
            #expect(key.updatedAt == key.revokedAt)
        }
    }

    @Test func updateChangesALimitAndNoneClearsOne() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("gateway.sqlite").path
            let (id, _) = try created(
                try await mistral(["keys", "create", "--name", "bot", "--rpm", "60", "--monthly-budget", "100"], database: database))
            let updated = try await mistral(["keys", "update", id, "--rpm", "120", "--monthly-budget", "none", "--tpm", "50000"], database: database)
            #expect(updated.status == 0, "\(updated.stderr)")
            #expect(updated.stdout == "Updated \(id) \"bot\": limits 120 rpm, 50000 tpm; expires never.\n")
            let key = try #require(try await SQLiteGatewayStore(path: database).key(id: id))
            #expect(key.limits == KeyLimits(requestsPerMinute: 120, tokensPerMinute: 50_000))
            #expect(key.updatedAt > key.createdAt)
        }
    }

    @Test func badInputGetsOneClearLine() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.appendingPathComponent("gateway.sqlite").path
            let unknown = try await mistral(["keys", "revoke", "key_nope"], database: database)
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "error: There is no key key_nope.\n")
            let update = try await mistral(["keys", "update", "key_nope", "--rpm", "5"], database: database)
            #expect(update.stderr == "error: There is no key key_nope.\n")
            let nothing = try await mistral(["keys", "update", "key_nope"], database: database)
            #expect(nothing.status == 64)
            #expect(nothing.stderr.contains("Give at least one limit to change"))
            let zero = try await mistral(["keys", "create", "--name", "x", "--rpm", "0"], database: database)
            #expect(zero.status == 64)
            #expect(zero.stderr.contains("--rpm must be at least 1"))
            let notADatabase = directory.appendingPathComponent("notes.txt").path
            try Data("plain text".utf8).write(to: URL(fileURLWithPath: notADatabase))
            let corrupt = try await mistral(["keys", "list"], database: notADatabase)
            #expect(corrupt.status == 1)
            #expect(corrupt.stderr.hasPrefix("error: Cannot open the gateway database \(notADatabase)"), "\(corrupt.stderr)")
            #expect(corrupt.stderr.split(separator: "\n").count == 1)
        }
    }
}
