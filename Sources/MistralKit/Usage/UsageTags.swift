/// Tags attached to the usage of every call made inside ``with(_:operation:)``: user id,
/// session id, feature, ... They reach the ``UsageLedger``, the budget scope and the metrics.
///
/// ```swift
/// try await UsageTags.with(["user": "42", "feature": "support-bot"]) {
///     try await client.chat(request)
/// }
/// ```
/// Nested scopes merge, the inner value winning; a call's own `tags:` argument wins over both.
public enum UsageTags {
    @TaskLocal static var current: [String: String] = [:]

    /// Runs `operation` with `tags` added to the current ones.
    public static func with<Result>(
        _ tags: [String: String], operation: () async throws -> Result
    ) async rethrows -> Result {
        try await $current.withValue(current.merging(tags) { _, new in new }, operation: operation)
    }

    /// The tags in force here, merged with `explicit`.
    static func resolved(_ explicit: [String: String]) -> [String: String] {
        explicit.isEmpty ? current : current.merging(explicit) { _, new in new }
    }
}
