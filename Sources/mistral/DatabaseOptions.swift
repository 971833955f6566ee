import ArgumentParser
import Foundation
import MistralChat
import MistralGatewayCore
import MistralStore

/// Where stored conversations, agents and gateway keys live: `--database`, else
/// `MISTRAL_DATABASE_URL`, else `~/.mistral/mistral.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "An SQLite file path or a postgres:// URL (default: MISTRAL_DATABASE_URL, else ~/.mistral/mistral.sqlite).")
    var database: String?

    var url: String {
        database ?? ChatStoreFactory.defaultURL(environment: ProcessInfo.processInfo.environment)
    }

    /// Runs `body` with the open store, closing it afterwards; failures become one error line.
    func withStore<T>(_ body: (any ChatStore) async throws -> T) async throws -> T {
        try await Self.withOpened({ try await ChatStoreFactory.open(url) }, store: \.store, close: \.close, body)
    }

    /// Runs `body` with the open gateway store (keys and ledger), closing it afterwards; failures
    /// become one error line.
    func withGatewayStore<T>(_ body: (any GatewayStore) async throws -> T) async throws -> T {
        try await Self.withGatewayStore(url: url, body)
    }

    /// Runs `body` with the chat store at `url`, closing it afterwards; failures become one error line.
    static func withChatStore<T>(url: String, _ body: (any ChatStore) async throws -> T) async throws -> T {
        try await withOpened({ try await ChatStoreFactory.open(url) }, store: \.store, close: \.close, body)
    }

    /// Runs `body` with the gateway store at `url`, closing it afterwards; failures become one error line.
    static func withGatewayStore<T>(url: String, _ body: (any GatewayStore) async throws -> T) async throws -> T {
        try await withOpened({ try await GatewayStoreFactory.open(url) }, store: \.store, close: \.close, body)
    }

    /// Opens with `open`, runs `body` with the store, and closes it whether `body` succeeds or
    /// throws; any failure becomes one error line.
    private static func withOpened<Opened, Store, T>(
        _ open: () async throws -> Opened, store: KeyPath<Opened, Store>, close: KeyPath<Opened, @Sendable () async -> Void>,
        _ body: (Store) async throws -> T
    ) async throws -> T {
        let opened: Opened
        do {
            opened = try await open()
        } catch {
            throw Terminal.fail(error)
        }
        do {
            let result = try await body(opened[keyPath: store])
            await opened[keyPath: close]()
            return result
        } catch {
            await opened[keyPath: close]()
            throw Terminal.fail(error)
        }
    }
}
