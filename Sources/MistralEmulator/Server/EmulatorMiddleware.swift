import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MistralKit
import NIOCore

/// Runs before every route (and for unknown routes): records the request with the fault the
/// ``FaultInjector`` chose, lets it apply the before-the-headers faults, checks the API key and
/// the request rate, and afterwards adds the common headers and turns refusals into
/// Mistral-shaped error responses.
struct EmulatorMiddleware: RouterMiddleware {
    typealias Context = EmulatorRequestContext

    let acceptedAPIKeys: Set<String>?
    let maxRequestBodyBytes: Int
    let requestLog: RequestLog
    let faults: FaultInjector
    let limiter: RateLimiter
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        var context = context
        context.correlationID = UUID().uuidString.lowercased()
        var refusal: APIFailure?
        do {
            context.body = Array(try await request.collectBody(upTo: maxRequestBodyBytes).readableBytesView)
        } catch {
            refusal = .bodyTooLarge(limit: maxRequestBodyBytes)
        }
        let chosen = faults.choose(headers: request.headers)
        context.fault = chosen.fault
        if let invalidHeader = chosen.invalidHeader { refusal = refusal ?? .badRequest(invalidHeader) }
        record(request, context)
        let response: Response
        do {
            if let refusal { throw refusal }
            try await faults.applyBeforeHeaders(context.fault, channel: context.channel, correlationID: context.correlationID)
            try authenticate(request, context)
            if case .limited(let seconds) = limiter.admitRequest() { throw APIFailure.rateLimited(retryAfterSeconds: seconds) }
            response = try await next(request, context)
        } catch let failure as APIFailure {
            response = Self.response(for: failure)
        } catch let error as HTTPError where error.status == .notFound {
            response = Self.response(for: .routeNotFound)
        } catch let reset as InjectedConnectionReset {
            throw reset
        } catch let cancellation as CancellationError {
            throw cancellation
        } catch {
            logger.error("emulator failure", metadata: ["error": "\(error)", "request-id": "\(context.correlationID)"])
            response = Self.response(for: .envelope(status: 500, message: "Internal server error", type: "server_error"))
        }
        return decorate(response, context)
    }

    private func authenticate(_ request: Request, _ context: Context) throws {
        let header = request.headers[.authorization] ?? ""
        let key = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : ""
        guard !key.isEmpty, acceptedAPIKeys?.contains(key) ?? true else {
            throw APIFailure.unauthorized(requestID: context.correlationID)
        }
    }

    private func record(_ request: Request, _ context: Context) {
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        requestLog.append(
            RecordedRequest(
                method: request.method.rawValue, path: request.uri.string, headers: headers, body: context.body,
                receivedAt: Date(), fault: context.fault, correlationID: context.correlationID))
        logger.debug(
            "request", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "request-id": "\(context.correlationID)"])
    }

    private func decorate(_ response: Response, _ context: Context) -> Response {
        var response = response
        response.headers[Self.correlationHeader] = context.correlationID
        for (name, value) in limiter.headers() {
            if let field = HTTPField.Name(name), response.headers[field] == nil { response.headers[field] = value }
        }
        return response
    }

    static func response(for failure: APIFailure) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in failure.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let body = (try? JSONCoding.encode(failure.body)) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: failure.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static let correlationHeader = HTTPField.Name("mistral-correlation-id")!
}
