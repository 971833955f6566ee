/// Where retry jitter comes from: uniform numbers in `0..<1`.
///
/// Production uses the system generator; tests pass ``fixed(_:)`` so backoff waits are exact.
public struct JitterSource: Sendable {
    private let next: @Sendable () -> Double

    public init(_ next: @escaping @Sendable () -> Double) { self.next = next }

    /// The system's random number generator.
    public static let system = JitterSource { Double.random(in: 0..<1) }

    /// Always `value` (clamped into `0...1`).
    public static func fixed(_ value: Double) -> JitterSource {
        let clamped = min(1, max(0, value))
        return JitterSource { clamped }
    }

    func sample() -> Double { next() }
}
