import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the connection, so a relayed stream
/// can stop the upstream request the moment its client goes away.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
