/// How the body of a 422 validation answer is shaped.
///
/// Mistral has sent both forms (see the API notes, section 7.2); clients should read either, and
/// ``MistralError`` does. A server picks one for ``RequestValidationError/body(style:)``.
public enum ValidationErrorStyle: String, Sendable, Hashable, CaseIterable {
    /// FastAPI's `{"detail": [{"type", "loc", "msg", "input", "ctx"?}]}`: what the spec documents
    /// and what the official SDKs parse into `HTTPValidationError`. The default.
    case fastAPI
    /// The older proxied form: `{"object": "error", "message": {"detail": [...]}, "type":
    /// "invalid_request_error", "param": null, "code": null}`.
    case envelope
}
