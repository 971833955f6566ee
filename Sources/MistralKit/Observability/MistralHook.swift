import NIOHTTP1

/// What a hook is told about the call in progress.
public struct HookContext: Sendable {
    /// The operation, e.g. `chat`, `chat.stream`, `embeddings`, `models.list`.
    public var operation: String
    /// The model asked for on this attempt (after a fallback, the fallback's model).
    public var model: String?
    /// The upstream's name (`mistral`, or a fallback provider's name) and base URL.
    public var upstream: String
    public var baseURL: String
    /// 1 for the first attempt, 2 for the first retry, ...
    public var attempt: Int
    /// The caller's usage tags.
    public var tags: [String: String]
}

/// Hooks around every attempt, like the official SDKs' `before_request` / `after_success` /
/// `after_error`: add headers, audit, count, or veto a request.
///
/// All methods have empty default implementations; implement the ones you need.
public protocol MistralHook: Sendable {
    /// Before an attempt is sent: may change the request (headers, body). Throwing aborts the
    /// call with that error (wrapped as `.invalidRequest` unless it is a ``MistralError``).
    func beforeRequest(_ request: inout HTTPRequestDescription, context: HookContext) async throws
    /// After a 2xx response head arrived (the body is still unread).
    func afterResponse(status: Int, headers: HTTPHeaders, context: HookContext) async
    /// After an attempt failed; the call may still be retried.
    func onError(_ error: MistralError, context: HookContext) async
}

extension MistralHook {
    public func beforeRequest(_ request: inout HTTPRequestDescription, context: HookContext) async throws {}
    public func afterResponse(status: Int, headers: HTTPHeaders, context: HookContext) async {}
    public func onError(_ error: MistralError, context: HookContext) async {}
}
