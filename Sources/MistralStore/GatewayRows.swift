import Foundation
import MistralGatewayCore

/// The column values both gateway stores keep, and the conversions to and from the gateway's
/// types, so SQLite and PostgreSQL hold exactly the same data.
enum GatewayRows {
    /// `query`'s limit and offset brought into range: a limit of 0 to `LedgerQuery.maximumLimit`,
    /// an offset of 0 or more.
    static func page(_ query: LedgerQuery) -> (limit: Int, offset: Int) {
        (min(max(query.limit, 0), LedgerQuery.maximumLimit), max(query.offset, 0))
    }

    static func encodeLimits(_ limits: KeyLimits) throws -> String {
        String(decoding: try encoder.encode(limits), as: UTF8.self)
    }

    static func decodeLimits(_ text: String) throws -> KeyLimits {
        try JSONDecoder().decode(KeyLimits.self, from: Data(text.utf8))
    }

    static func encodeTags(_ tags: [String: String]) throws -> String {
        String(decoding: try encoder.encode(tags), as: UTF8.self)
    }

    static func decodeTags(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    /// Sorted keys: the same value is always the same text, in both databases.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static func takenKey(_ id: String) -> GatewayStoreError {
        GatewayStoreError(.conflict, "A key with id \(id) or the same secret exists.")
    }

    static func unknownKey(_ id: String) -> GatewayStoreError {
        GatewayStoreError(.notFound, "There is no key \(id).")
    }

    /// `url` with its password, if any, replaced by `***`: what error messages and logs show.
    static func redacted(_ url: String) -> String { PostgresServer.redacted(url) }
}
