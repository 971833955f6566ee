import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus what the emulator needs to inject
/// faults (the connection's `Channel`, so it can be closed without a response) and to answer
/// consistently (the correlation id and the fault chosen for this request).
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel
    /// The fault for this request, chosen by ``EmulatorMiddleware``.
    var fault: EmulatorFault?
    /// The `mistral-correlation-id` of this request's answer.
    var correlationID = ""
    /// The request body, collected once by the middleware.
    var body: [UInt8] = []

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
