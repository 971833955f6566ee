/// How slowly the emulator answers, in real time.
///
/// A JSON answer waits `timeToFirstToken + perToken × completion tokens` before its headers. A
/// stream sends its headers at once, waits `timeToFirstToken` before the first chunk and
/// `perToken` between chunks, so time-to-first-token and throughput can be measured.
public struct EmulatorLatency: Sendable, Hashable {
    /// The wait before the first token.
    public var timeToFirstToken: Duration
    /// The wait for each further token.
    public var perToken: Duration

    /// Latency of `timeToFirstToken` before the first token and `perToken` for each further one.
    public init(timeToFirstToken: Duration = .zero, perToken: Duration = .zero) {
        self.timeToFirstToken = timeToFirstToken
        self.perToken = perToken
    }

    /// No added latency (the default).
    public static let none = EmulatorLatency()
}

extension EmulatorLatency {
    /// Sleeps for `duration` unless it is zero, so an emulator without latency never yields.
    func pause(_ duration: Duration) async throws {
        if duration > .zero { try await Task.sleep(for: duration) }
    }
}
