/// A request body Mistral would refuse with 422, and every problem found in it.
///
/// ``RequestValidator`` throws it; a server answers with status ``status`` and
/// ``encodedBody(style:)`` (or ``body(style:)`` when it writes JSON itself), which is the body
/// Mistral sends, so the official SDKs parse it into `HTTPValidationError` and ``MistralClient``
/// into a ``MistralError`` of kind `.validation`.
public struct RequestValidationError: Error, Sendable, Hashable {
    /// The HTTP status of a validation answer: 422 Unprocessable Content, as FastAPI sends it.
    public static let status = 422

    /// Every problem, in the order Pydantic reports them (members in declaration order, then
    /// unknown members in name order). Never empty.
    public internal(set) var issues: [FieldIssue]

    init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    /// The answer's body as a JSON tree, shaped by `style` (FastAPI's `{"detail": [...]}` by
    /// default, or that inside Mistral's error envelope).
    public func body(style: ValidationErrorStyle = .fastAPI) -> JSONValue {
        let detail: JSONValue = .object(["detail": .array(issues.map(\.json))])
        switch style {
        case .fastAPI:
            return detail
        case .envelope:
            return ["object": "error", "message": detail, "type": "invalid_request_error", "param": nil, "code": nil]
        }
    }

    /// ``body(style:)`` written as compact JSON with sorted keys, ready to send as
    /// `application/json`: the same bytes ``JSONCoding/encode(_:)`` writes for that tree.
    ///
    /// Cannot fail in practice: the tree holds only what ``JSONParser`` read, which is always
    /// encodable. Should encoding still fail, the answer is `{"detail":[]}`, still a valid 422
    /// body, rather than an empty one.
    public func encodedBody(style: ValidationErrorStyle = .fastAPI) -> [UInt8] {
        (try? JSONCoding.encodeBytes(body(style: style))) ?? Array(#"{"detail":[]}"#.utf8)
    }
}

extension RequestValidationError: CustomStringConvertible {
    /// `The request body is invalid: body.temperature: Input should be ... (less_than_equal)`.
    public var description: String {
        "The request body is invalid: " + issues.map(\.description).joined(separator: "; ")
    }
}
