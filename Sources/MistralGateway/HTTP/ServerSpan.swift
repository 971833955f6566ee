import HTTPTypes
import Hummingbird
import Tracing

/// The server span of one request, made only when the gateway traces (its upstream client has
/// a tracer other than the no-op one). It continues the caller's trace when the request carries
/// one (`traceparent`, or whatever the tracer's propagator reads), and the upstream call's span
/// (made by MistralKit) is its child. It ends when the response's head is ready; a stream's
/// body is covered by the upstream call's span, which ends with the stream.
enum ServerSpan {
    static func around(
        _ request: Request, route: String, tracer: any Tracer, _ handle: () async -> Response
    ) async -> Response {
        var context = ServiceContext.current ?? .topLevel
        tracer.extract(request.headers, into: &context, using: HTTPFieldsExtractor())
        let span = tracer.startSpan("\(request.method.rawValue) \(route)", context: context, ofKind: .server)
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["http.route"] = route
        let response = await ServiceContext.$current.withValue(span.context) { await handle() }
        span.attributes["http.response.status_code"] = Int(response.status.code)
        if let requestID = response.headers[RelayHandler.requestIDHeader] { span.attributes["mistralkit.request_id"] = requestID }
        if let source = response.headers[RelayHandler.errorSourceHeader] { span.attributes["mistralkit.error_source"] = source }
        if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
        span.end()
        return response
    }

    /// Reads propagation headers (`traceparent`, `tracestate`, …) from a request's fields.
    struct HTTPFieldsExtractor: Extractor {
        func extract(key: String, from carrier: HTTPFields) -> String? {
            HTTPField.Name(key).flatMap { carrier[$0] }
        }
    }
}
