import MistralKit

/// One problem found in a request body, in the shape FastAPI and Pydantic report it
/// (`{"type", "loc", "msg", "input", "ctx"}`), which is what Mistral's 422 answers carry and what
/// the official SDKs parse into `HTTPValidationError`.
struct FieldIssue: Sendable, Hashable {
    /// Where: `"body"`, then member names and array indexes (and, for tagged unions, the tag).
    var location: [JSONValue]
    /// Pydantic's error type, e.g. `extra_forbidden`, `missing`, `float_parsing`.
    var type: String
    /// Pydantic's message for that type.
    var message: String
    /// The offending value (for `missing`, the object the member is missing from).
    var input: JSONValue
    /// Extra facts, e.g. `{"ge": 0}` for a range error.
    var context: [String: JSONValue]?

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
