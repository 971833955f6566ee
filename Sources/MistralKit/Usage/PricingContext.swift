/// The billing modifiers of one call.
public struct PricingContext: Sendable, Hashable, Codable {
    /// Sent through the batch API (50% off).
    public var batch: Bool
    /// Sent with `service_tier: priority` (1.75× after the cache discount).
    public var priority: Bool
    /// Sent to a regional endpoint (`eu`, `us`: 1.1×).
    public var regional: Bool

    public init(batch: Bool = false, priority: Bool = false, regional: Bool = false) {
        self.batch = batch
        self.priority = priority
        self.regional = regional
    }
}
