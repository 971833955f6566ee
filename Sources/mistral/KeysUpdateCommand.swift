import ArgumentParser
import Foundation
import MistralGatewayCore

extension KeysCommand {
    /// `mistral keys update`: changes a key's limits or expiry; the flags not given keep their value.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a key's limits or expiry.",
            discussion: "Flags not given keep their value; a flag given as none removes that limit (or the expiry).")
        @OptionGroup var storage: DatabaseOptions
        @Argument(help: "The key's id (key_…).") var id: String
        @OptionGroup var limits: KeyLimitOptions

        func validate() throws {
            if limits.isEmpty { throw ValidationError("Give at least one limit to change, e.g. --rpm 60 or --rpm none.") }
        }

        func run() async throws {
            let now = Date()
            let key = try await storage.withGatewayStore { store -> VirtualKey in
                guard let stored = try await store.key(id: id) else { throw KeysCommand.unknown(id) }
                var key = limits.applied(to: stored, now: now)
                key.updatedAt = now
                try await store.updateKey(key)
                return key
            }
            Terminal.write("Updated \(key.id) \"\(key.name)\": limits \(KeysCommand.describe(key.limits)); expires \(KeysCommand.date(key.expiresAt)).\n")
        }
    }
}
