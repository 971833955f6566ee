/// One problem found in a request body, in the shape FastAPI and Pydantic report it
/// (`{"type", "loc", "msg", "input", "ctx"}`).
///
/// This is what Mistral's 422 answers carry and what the official SDKs parse into
/// `HTTPValidationError`; ``RequestValidator`` produces these and ``RequestValidationError``
/// renders them. A client reading such an answer sees each one as a ``ValidationIssue``.
public struct FieldIssue: Sendable, Hashable {
    /// Where: `"body"`, then member names and array indexes (and, for tagged unions, the tag).
    public internal(set) var location: [JSONValue]
    /// Pydantic's error type, e.g. `extra_forbidden`, `missing`, `float_parsing`.
    public internal(set) var type: String
    /// Pydantic's message for that type.
    public internal(set) var message: String
    /// The offending value (for `missing`, the object the member is missing from).
    public internal(set) var input: JSONValue
    /// Extra facts, e.g. `{"ge": 0}` for a range error.
    public internal(set) var context: [String: JSONValue]?

    init(location: [JSONValue], type: String, message: String, input: JSONValue, context: [String: JSONValue]? = nil) {
        self.location = location
        self.type = type
        self.message = message
        self.input = input
        self.context = context
    }

    /// The FastAPI `detail` item.
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type), "loc": .array(location), "msg": .string(message), "input": input,
        ]
        if let context { members["ctx"] = .object(context) }
        return .object(members)
    }

    static func missing(at location: [JSONValue], in object: JSONValue) -> FieldIssue {
        FieldIssue(location: location, type: "missing", message: "Field required", input: object)
    }

    static func extraForbidden(at location: [JSONValue], value: JSONValue) -> FieldIssue {
        FieldIssue(location: location, type: "extra_forbidden", message: "Extra inputs are not permitted", input: value)
    }

    /// FastAPI's answer to a body that is not JSON at all.
    static func jsonInvalid(_ reason: String) -> FieldIssue {
        FieldIssue(
            location: ["body", 0], type: "json_invalid", message: "JSON decode error", input: .object([:]),
            context: ["error": .string(reason)])
    }

    /// FastAPI's answer to an empty body where one is required.
    static let bodyMissing = FieldIssue(location: ["body"], type: "missing", message: "Field required", input: .null)
}

extension FieldIssue: CustomStringConvertible {
    /// `body.temperature: Input should be less than or equal to 1.5 (less_than_equal)`, for logs.
    public var description: String {
        let path = location.map { $0.stringValue ?? $0.jsonString }.joined(separator: ".")
        return "\(path): \(message) (\(type))"
    }
}
