import ArgumentParser
import Foundation
import MistralGatewayCore

extension KeysCommand {
    /// `mistral keys create`: a new key; its secret is printed once, alone on the last line.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret, once, on the last line.",
            discussion: "Only the secret's SHA-256 and its first characters are stored: copy the secret when it is shown.")
        @OptionGroup var storage: DatabaseOptions
        @Option(help: "A name for people, e.g. support-bot-prod.") var name: String
        @Option(help: "The project or tenant the key belongs to.") var owner = "default"
        @OptionGroup var limits: KeyLimitOptions

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty.") }
            if owner.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--owner must not be empty.") }
        }

        func run() async throws {
            let now = Date()
            let secret = KeySecret()
            let key = limits.applied(
                to: VirtualKey(name: name, owner: owner, prefix: secret.prefix, secretHash: secret.hash, createdAt: now), now: now)
            try await storage.withGatewayStore { try await $0.createKey(key) }
            Terminal.write(
                """
                Created key \(key.id) "\(key.name)" for owner \(key.owner).
                prefix   \(key.prefix)
                limits   \(KeysCommand.describe(key.limits))
                expires  \(KeysCommand.date(key.expiresAt))
                The secret below is shown once and not stored:
                \(secret.secret)

                """)
        }
    }
}
