import Foundation

/// The one place encoders and decoders are configured, so every request body, log line and
/// curl command is produced the same way.
public enum JSONCoding {
    /// Encodes compactly with sorted keys (stable output for logs, tests and caches).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try encodeBytes(value))
    }

    /// ``encode(_:)`` as an array, the form a request body takes (no `Data` made and copied).
    static func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        // The same bytes as `JSONEncoder` below in about 60% of the time; it steps aside for
        // anything it does not handle identically (see ``SortedKeysJSONEncoder``).
        if let bytes = try? SortedKeysJSONEncoder.encode(value) { return bytes }
        return Array(try foundationEncode(value))
    }

    /// `value` as the ``JSONValue`` tree ``encodeBytes(_:)`` would write, without writing it.
    static func encodeTree<T: Encodable>(_ value: T) throws -> JSONValue {
        if let tree = try? SortedKeysJSONEncoder.tree(value) { return tree }
        return try JSONParser.parse(Array(try foundationEncode(value)))
    }

    /// Foundation's `JSONEncoder` with the options above: the reference the fast encoder
    /// matches, and the path for whatever it leaves to Foundation.
    static func foundationEncode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Encodes with indentation, for human-readable output.
    public static func encodePretty<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Decodes a value with ``JSONParser`` and ``JSONValueDecoder``; throws `DecodingError`,
    /// which callers wrap.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try JSONValueDecoder().decode(type, from: bytes)
    }

    static func compactString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
