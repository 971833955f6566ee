import ArgumentParser
import Foundation
import MistralChat
import MistralStore

/// Where stored conversations and agents live: `--database`, else `MISTRAL_DATABASE_URL`, else
/// `~/.mistral/mistral.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "An SQLite file path or a postgres:// URL (default: MISTRAL_DATABASE_URL, else ~/.mistral/mistral.sqlite).")
    var database: String?

    var url: String {
        database ?? ChatStoreFactory.defaultURL(environment: ProcessInfo.processInfo.environment)
    }

    /// Runs `body` with the open store, closing it afterwards; failures become one error line.
    func withStore<T>(_ body: (any ChatStore) async throws -> T) async throws -> T {
        let opened: ChatStoreFactory.Opened
        do {
            opened = try await ChatStoreFactory.open(url)
        } catch {
            throw Terminal.fail(error)
        }
        do {
            let result = try await body(opened.store)
            await opened.close()
            return result
        } catch {
            await opened.close()
            throw Terminal.fail(error)
        }
    }
}
