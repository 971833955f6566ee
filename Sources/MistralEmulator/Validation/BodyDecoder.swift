import Foundation
import MistralKit

/// Turns a request body into a MistralKit wire model, or a 422 listing every problem.
///
/// The body is parsed as JSON, checked against the endpoint's ``ObjectSchema`` (unknown
/// members, missing members, wrong types, out-of-range values), coerced the way Pydantic's lax
/// mode does, and only then decoded with the wire model's own `Decodable` conformance.
struct BodyDecoder: Sendable {
    var style: ValidationErrorStyle

    /// The decoded request.
    /// Throws ``APIFailure`` (422) when the body is empty, not JSON, or does not match `schema`.
    func decode<Model: Decodable>(_ type: Model.Type, from body: [UInt8], schema: ObjectSchema) throws -> Model {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) else {
            throw APIFailure.validation([.bodyMissing], style: style)
        }
        let raw: JSONValue
        do {
            raw = try JSONCoding.decode(JSONValue.self, from: body)
        } catch {
            throw APIFailure.validation([.jsonInvalid(Self.reason(error))], style: style)
        }
        var validator = SchemaValidator()
        let coerced = validator.validateObject(raw, schema, at: ["body"])
        guard validator.issues.isEmpty else { throw APIFailure.validation(validator.issues, style: style) }
        do {
            return try JSONCoding.decode(Model.self, from: try JSONCoding.encode(coerced))
        } catch {
            // The schema let through something the wire model refuses: still a 422, never a 500.
            let issue = FieldIssue(
                location: ["body"] + Self.location(of: error), type: "value_error", message: "Value error, \(Self.reason(error))",
                input: raw)
            throw APIFailure.validation([issue], style: style)
        }
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
