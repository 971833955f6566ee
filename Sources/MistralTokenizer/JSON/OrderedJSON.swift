/// A JSON value that keeps what Python's `json` module keeps, so it can be re-serialised the way
/// mistral-common serialises tool schemas and arguments.
///
/// Objects keep their keys in document order (a repeated key keeps its first position and its
/// last value, as a Python `dict` does); integers keep every digit (Python integers are unbounded);
/// floats are `Double`s, printed the way Python's `repr` prints them.
public enum OrderedJSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer, as its canonical decimal digits (`"-12"`), kept as text so no digit is lost.
    case integer(String)
    /// A number with a fraction or exponent (also `NaN` and `Infinity`, which Python accepts).
    case float(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([OrderedJSON])
    /// An object, its members in document order.
    case object([Member])

    /// One key and value of a JSON object.
    public struct Member: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The value.
        public var value: OrderedJSON

        /// Creates a member.
        public init(_ key: String, _ value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// An integer value.
    public static func int(_ value: Int) -> OrderedJSON { .integer(String(value)) }

    /// Parses JSON text the way Python's `json.loads` does (it also accepts `NaN`, `Infinity`
    /// and `-Infinity`, and rejects raw control characters inside strings).
    ///
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/invalidRequest`` when the text
    ///   is not JSON that Python would accept.
    public init(parsing text: String) throws {
        var text = text
        self = try text.withUTF8 { buffer in
            var scanner = JSONScanner(UnsafeRawBufferPointer(buffer))
            return try scanner.parseDocument()
        }
    }

    /// The value serialised as Python's `json.dumps(value, ensure_ascii=False)` does, with the
    /// default `", "` and `": "` separators.
    public var pythonJSON: String {
        var output = ""
        PythonJSONWriter.write(self, to: &output)
        return output
    }

    /// The member with this key, when the value is an object that has it.
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, when the value is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
