/// An upstream as the pipeline uses it: the client's own, or a fallback's.
struct ResolvedUpstream: Sendable {
    var name: String
    var baseURL: String
    var apiKey: String?
    var dialect: Upstream.Dialect
    var prices: PriceTable
    /// The client's own upstream, whose request headers the client made once.
    var isPrimary = false
}
