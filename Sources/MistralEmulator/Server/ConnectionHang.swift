import NIOCore
import ServiceLifecycle

/// Waits, without answering, until the client disconnects, the server shuts down gracefully,
/// or a time limit passes, whichever comes first, so an injected hang never blocks shutdown.
enum ConnectionHang {
    static func wait(on channel: any Channel, upTo limit: Duration) async {
        let (closed, closing) = AsyncStream<Void>.makeStream()
        channel.closeFuture.whenComplete { _ in closing.finish() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in closed {} }
            group.addTask { try? await gracefulShutdown() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}
