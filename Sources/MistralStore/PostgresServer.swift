import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server a `postgres://user:password@host:port/database` URL names, as both
/// PostgreSQL stores connect to it: parsed once, shown without its password, and checked with
/// one plain connection before the pool starts, so that a refused connection, a wrong password or
/// a missing database fails at once with the server's reason (the pool retries for a minute and
/// then names none).
struct PostgresServer: Sendable {
    /// The URL with its password replaced by `***`, for messages.
    let display: String
    let password: String?
    let configuration: PostgresClient.Configuration
    private let host: String
    private let port: Int
    private let user: String
    private let database: String?

    /// `nil` when `url` is not a postgres:// URL with a host and a user.
    init?(url: String) {
        display = Self.redacted(url)
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, let user = components.user
        else { return nil }
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : ""
        self.host = host
        port = components.port ?? 5432
        self.user = user
        database = path.isEmpty ? nil : path
        configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }

    /// Opens and closes one connection. Throws the driver's error (see ``describe(_:)``).
    func probe(logger: Logger) async throws {
        let probe = try await PostgresConnection.connect(
            configuration: .init(host: host, port: port, username: user, password: password, database: database, tls: .disable),
            id: 0, logger: logger)
        try await probe.close()
    }

    /// The server's own message when there is one; otherwise the driver's, less the query text
    /// and the password.
    func describe(_ error: any Error) -> String {
        let text: String
        if let error = error as? PostgresTransactionError,
            let inner = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError
        {
            return describe(inner)
        } else if let error = error as? PSQLError {
            if let server = error.serverInfo {
                text = [server[.message], server[.detail]].compactMap { $0 }.joined(separator: " ")
            } else {
                text = "\(error.code)" + (error.underlying.map { " (\(String(describing: $0)))" } ?? "")
            }
        } else {
            text = String(describing: error)
        }
        guard let password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }

    /// `url` with its password, if any, replaced by `***`.
    ///
    /// Works on the text itself rather than through `URLComponents`, so a URL too malformed to
    /// parse still loses its password.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<authority.index(after: colon)]) + "***" + String(url[at...])
    }
}
