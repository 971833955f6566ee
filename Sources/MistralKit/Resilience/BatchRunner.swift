/// Progress of a ``MistralClient/runBatch(_:maxConcurrency:progress:operation:)`` run.
public struct BatchProgress: Sendable, Hashable {
    public var completed: Int
    public var failed: Int
    public var total: Int

    /// Items finished (succeeded or failed).
    public var finished: Int { completed + failed }
    /// `finished / total`, in `0...1`.
    public var fraction: Double { total == 0 ? 1 : Double(finished) / Double(total) }
}

extension MistralClient {
    /// Runs `operation` over `items` with at most `maxConcurrency` at once, e.g. to embed a
    /// corpus, and returns one result per item, in the items' order. A failing item does not
    /// stop the others; its error is in its result. `progress` is called after each item.
    ///
    /// The client's own rate limiter, retries and breakers apply to each call as usual.
    /// Cancelling the calling task cancels the items still running and fails the rest with
    /// `.cancelled`.
    public func runBatch<Item: Sendable, Output: Sendable>(
        _ items: [Item], maxConcurrency: Int = 8, progress: (@Sendable (BatchProgress) -> Void)? = nil,
        operation: @escaping @Sendable (Item) async throws -> Output
    ) async -> [Result<Output, MistralError>] {
        var results = [Result<Output, MistralError>?](repeating: nil, count: items.count)
        var state = BatchProgress(completed: 0, failed: 0, total: items.count)
        await withTaskGroup(of: (Int, Result<Output, MistralError>).self) { group in
            var next = 0
            func startNext() {
                guard next < items.count else { return }
                let index = next
                let item = items[index]
                next += 1
                group.addTask {
                    do {
                        try Task.checkCancellation()
                        return (index, .success(try await operation(item)))
                    } catch {
                        return (index, .failure(MistralError(normalizing: error)))
                    }
                }
            }
            for _ in 0..<max(1, maxConcurrency) { startNext() }
            for await (index, result) in group {
                results[index] = result
                if case .success = result { state.completed += 1 } else { state.failed += 1 }
                progress?(state)
                startNext()
            }
        }
        return results.map { $0! }
    }
}
