/// Typed reads of one JSON object's members, with `DecodingError`s that carry the path.
///
/// Hot wire models (stream chunks) are read through this instead of `Codable` containers,
/// which cost several microseconds per object; their `init(from:)` delegates here, so there
/// is one decoding logic for both engines.
struct JSONObjectReader {
    let members: [String: JSONValue]
    let path: [any CodingKey]

    init(_ value: JSONValue, path: [any CodingKey]) throws {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch(
                [String: JSONValue].self, .init(codingPath: path, debugDescription: "Expected an object but found \(value.typeName) instead."))
        }
        self.members = members
        self.path = path
    }

    private func mismatch(_ type: Any.Type, _ key: String, _ value: JSONValue) -> DecodingError {
        DecodingError.typeMismatch(
            type, .init(codingPath: path + [DynamicCodingKey(key)], debugDescription: "Expected \(type) but found \(value.typeName) instead."))
    }

    /// The member, or `nil` when it is missing or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw mismatch(String.self, key, value) }
        return text
    }

    func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.exactInteger(Int.self) else { throw mismatch(Int.self, key, value) }
        return number
    }

    /// Reads each element of an array member with `read`. Paths are only built for errors:
    /// `read` works path-less and its `DecodingError`s get this element's path prefixed.
    func array<T>(_ key: String, _ read: (JSONValue) throws -> T) throws -> [T]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw mismatch([JSONValue].self, key, value) }
        var results: [T] = []
        results.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                results.append(try read(element))
            } catch let error as DecodingError {
                throw error.prefixingPath(path + [DynamicCodingKey(key), DynamicCodingKey(String(index))])
            }
        }
        return results
    }

    /// Reads an object member with `read`, prefixing this member's path to its errors.
    func object<T>(_ key: String, _ read: (JSONValue) throws -> T) throws -> T? {
        guard let value = value(key) else { return nil }
        do {
            return try read(value)
        } catch let error as DecodingError {
            throw error.prefixingPath(path + [DynamicCodingKey(key)])
        }
    }

    /// A member decoded with its `Decodable` conformance (for rarer, richer members).
    func decode<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        guard let value = value(key) else { return nil }
        return try JSONValueDecoder().decode(type, from: value, at: path + [DynamicCodingKey(key)])
    }
}

extension DecodingError {
    /// The same error, located under `prefix`.
    func prefixingPath(_ prefix: [any CodingKey]) -> DecodingError {
        func moved(_ context: Context) -> Context {
            Context(codingPath: prefix + context.codingPath, debugDescription: context.debugDescription, underlyingError: context.underlyingError)
        }
        switch self {
        case .typeMismatch(let type, let context): return .typeMismatch(type, moved(context))
        case .valueNotFound(let type, let context): return .valueNotFound(type, moved(context))
        case .keyNotFound(let key, let context): return .keyNotFound(key, moved(context))
        case .dataCorrupted(let context): return .dataCorrupted(moved(context))
        @unknown default: return self
        }
    }
}
