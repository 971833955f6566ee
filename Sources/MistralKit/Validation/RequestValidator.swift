/// Turns a request body into a wire model the way Mistral's API does, or refuses it with every
/// problem it has.
///
/// The body is parsed as JSON, checked against the endpoint's ``ObjectSchema`` (unknown
/// members, missing members, wrong types, out-of-range values), coerced the way Pydantic's lax
/// mode does (`"0.5"` is accepted for a number), and only then decoded with the wire model's own
/// `Decodable` conformance. The emulator and the gateway both validate with it, so a body one
/// accepts the other accepts too, and both refuse it with the same 422.
public struct RequestValidator: Sendable {
    public init() {}

    /// `body` as a `Model`, after validating it against `schema` (one of ``RequestSchemas``).
    ///
    /// Throws ``RequestValidationError`` when the body is empty, not JSON, or does not match
    /// `schema`; every problem is listed, not just the first. A body the schema accepts but the
    /// wire model refuses is still a validation error (`value_error`), never a crash or a 500.
    public func decode<Model: Decodable>(
        _ type: Model.Type, from body: [UInt8], schema: ObjectSchema
    ) throws(RequestValidationError) -> Model {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) else {
            throw RequestValidationError([.bodyMissing])
        }
        let raw: JSONValue
        do {
            raw = try JSONCoding.decode(JSONValue.self, from: body)
        } catch {
            throw RequestValidationError([.jsonInvalid(Self.reason(error))])
        }
        var validator = SchemaValidator()
        let coerced = validator.validateObject(raw, schema, at: ["body"])
        guard validator.issues.isEmpty else { throw RequestValidationError(validator.issues) }
        do {
            // A cheap win not taken: decoding `coerced` directly with `JSONValueDecoder` would skip
            // one encode and one parse. The round trip stays because it normalises the tree (an
            // integral `2.0` comes back as the integer 2), and `JSONValue` members of the wire
            // models (`metadata`, tool `parameters`) can observe that difference.
            return try JSONCoding.decode(Model.self, from: try JSONCoding.encodeBytes(coerced))
        } catch {
            // The schema let through something the wire model refuses: still a 422, never a 500.
            let issue = FieldIssue(
                location: ["body"] + Self.location(of: error), type: "value_error", message: "Value error, \(Self.reason(error))",
                input: raw)
            throw RequestValidationError([issue])
        }
    }

    /// A `POST /v1/chat/completions` body as a ``ChatCompletionRequest``: ``decode(_:from:schema:)``
    /// with ``RequestSchemas/chatCompletion``. Throws ``RequestValidationError`` as it does.
    public func chatCompletion(_ body: [UInt8]) throws(RequestValidationError) -> ChatCompletionRequest {
        try decode(ChatCompletionRequest.self, from: body, schema: RequestSchemas.chatCompletion)
    }

    private static func location(of error: any Error) -> [JSONValue] {
        guard let error = error as? DecodingError else { return [] }
        let context: DecodingError.Context? =
            switch error {
            case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                context
            @unknown default: nil
            }
        return (context?.codingPath ?? []).map { key in key.intValue.map { .int($0) } ?? .string(key.stringValue) }
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context): return context.debugDescription
        case .keyNotFound(let key, _): return "missing \(key.stringValue)"
        case .typeMismatch(let type, _): return "expected \(type)"
        case .valueNotFound(let type, _): return "expected \(type)"
        @unknown default: return "\(error)"
        }
    }
}
