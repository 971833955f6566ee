/// The errors a completion stream ends with, made one way for ``ChatCompletionStream`` and
/// ``RelayedStream``: each carries the request id and everything received (`partial`).
enum StreamFailure {
    /// The stream stopped before it was whole (`reason` says how).
    static func truncated(_ reason: String, chunks: Int, requestID: String?, partial: ChatCompletionResponse) -> MistralError {
        MistralError(
            kind: .truncatedStream, message: "The stream was cut after \(chunks) chunk\(chunks == 1 ? "" : "s"): \(reason).",
            requestID: requestID, partial: partial)
    }

    /// Reading the body failed: a lost connection is a truncated stream; a timeout or a
    /// cancellation stays what it is.
    static func cut(by error: any Error, chunks: Int, requestID: String?, partial: ChatCompletionResponse) -> MistralError {
        var mapped = MistralError(normalizing: error)
        if mapped.kind == .connection {
            mapped.kind = .truncatedStream
            mapped.message = "The stream was cut after \(chunks) chunks: \(mapped.message)"
        }
        mapped.requestID = mapped.requestID ?? requestID
        mapped.partial = partial
        return mapped
    }

    /// The server sent an error inside the stream (an `error` event, or an error body as data).
    static func serverError(data: [UInt8], requestID: String?, partial: ChatCompletionResponse) -> MistralError {
        var error = ErrorResponse.error(status: 200, headers: [:], body: data)
        error.kind = .streamError
        error.status = nil
        error.requestID = error.requestID ?? requestID
        error.partial = partial
        error.bodySnippet = ErrorResponse.snippet(data)
        return error
    }

    /// A choice ended with `finish_reason: "error"`.
    static func finishedWithError(requestID: String?, partial: ChatCompletionResponse) -> MistralError {
        MistralError(kind: .streamError, message: "The model stopped with finish_reason \"error\".", requestID: requestID, partial: partial)
    }

    /// An event that is neither a chunk nor an error.
    static func undecodable(data: [UInt8], error: any Error, requestID: String?, partial: ChatCompletionResponse) -> MistralError {
        MistralError(
            kind: .undecodableResponse,
            message: "A stream event is not a valid completion chunk: \(MistralClient.summary(of: error))",
            requestID: requestID, bodySnippet: ErrorResponse.snippet(data), partial: partial, underlying: error)
    }

    /// Whether an event's JSON is an error body rather than a chunk.
    static func isErrorBody(_ json: JSONValue) -> Bool {
        json["object"]?.stringValue == "error" || json["error"] != nil || json["detail"] != nil
    }
}
