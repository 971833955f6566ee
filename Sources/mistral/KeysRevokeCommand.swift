import ArgumentParser
import Foundation
import MistralGatewayCore

extension KeysCommand {
    /// `mistral keys revoke`: the key is refused from now on; it stays listed, so its ledger rows still resolve.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: requests with it are refused from now on.")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The key's id (key_…).") var id: String

        func run() async throws {
            let now = Date()
            let (key, already) = try await storage.withGatewayStore { store -> (VirtualKey, Bool) in
                guard var key = try await store.key(id: id) else { throw KeysCommand.unknown(id) }
                if key.revokedAt != nil { return (key, true) }
                key.revokedAt = now
                key.updatedAt = now
                try await store.updateKey(key)
                return (key, false)
            }
            Terminal.write(
                already
                    ? "\(key.id) \"\(key.name)\" was already revoked at \(KeysCommand.date(key.revokedAt)).\n"
                    : "Revoked \(key.id) \"\(key.name)\".\n")
        }
    }
}
