extension MistralError {
    /// Any error as a ``MistralError``: a `MistralError` is kept as it is, a `CancellationError`
    /// becomes `.cancelled`, and anything else `.connection`, with the original as
    /// ``underlying``. A transport maps its own HTTP stack's errors before they get here (see
    /// ``AsyncHTTPClientTransport``), so a kind read off this is never a guess about one stack.
    public init(normalizing error: any Error) {
        switch error {
        case let error as MistralError:
            self = error
        case is CancellationError:
            self.init(kind: .cancelled, message: "The request was cancelled.", underlying: error)
        default:
            self.init(kind: .connection, message: "Connection failed: \(error).", underlying: error)
        }
    }
}
