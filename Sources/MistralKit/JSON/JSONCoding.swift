import Foundation

/// The one place encoders and decoders are configured, so every request body, log line and
/// curl command is produced the same way.
public enum JSONCoding {
    /// Encodes compactly with sorted keys (stable output for logs, tests and caches).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
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

    /// Decodes a value; the error is Foundation's `DecodingError`, callers wrap it.
    public static func decode<T: Decodable>(_ type: T.Type, from data: some DataProtocol) throws -> T {
        try JSONDecoder().decode(type, from: Data(data))
    }

    static func compactString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
