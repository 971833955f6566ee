/// A service that answers chat completions: Mistral itself, or another provider with an
/// OpenAI-compatible API (a local llama.cpp or Ollama server, a hosted provider).
public struct Upstream: Sendable, Hashable {
    /// How requests and responses are spelled on the wire.
    public enum Dialect: Sendable, Hashable {
        /// Mistral's API, sent as is.
        case mistral
        /// OpenAI's chat completions API: Mistral-only fields are mapped or dropped (see
        /// ``OpenAICompatibleMapping``).
        case openAICompatible
    }

    /// A short name recorded in usage records and ``AnsweredBy``, e.g. `mistral`, `local-llama`.
    public var name: String
    /// The base URL; a trailing `/v1` is accepted and normalised.
    public var server: MistralServer
    public var apiKey: String?
    public var dialect: Dialect
    /// Prices for this upstream's models; `nil` uses the client's table (a model it does not
    /// know is recorded without a cost).
    public var prices: PriceTable?

    public init(name: String, server: MistralServer, apiKey: String?, dialect: Dialect, prices: PriceTable? = nil) {
        self.name = name
        self.server = server
        self.apiKey = apiKey
        self.dialect = dialect
        self.prices = prices
    }

    /// An OpenAI-compatible provider at `baseURL` (e.g. `http://127.0.0.1:8080/v1`).
    public static func openAICompatible(name: String, baseURL: String, apiKey: String? = nil, prices: PriceTable? = nil) -> Upstream {
        Upstream(name: name, server: MistralServer(baseURL: baseURL), apiKey: apiKey, dialect: .openAICompatible, prices: prices)
    }
}

/// One step of a fallback chain: a model, on the client's own upstream or another one.
public struct FallbackRoute: Sendable, Hashable {
    public var model: String
    /// `nil`: the client's own server and key.
    public var upstream: Upstream?

    public init(model: String, upstream: Upstream? = nil) {
        self.model = model
        self.upstream = upstream
    }

    /// Another model on the client's own upstream (e.g. large falling back to small).
    public static func model(_ model: String) -> FallbackRoute { FallbackRoute(model: model) }

    /// A model on another provider.
    public static func provider(_ upstream: Upstream, model: String) -> FallbackRoute { FallbackRoute(model: model, upstream: upstream) }
}

/// Which route answered a call, and why the ones before it were skipped.
public struct AnsweredBy: Sendable, Hashable {
    /// The upstream's name: `mistral` or the fallback provider's.
    public var upstream: String
    /// The model asked for on that route.
    public var model: String
    /// 0 for the requested model, 1 for the first fallback, ...
    public var routeIndex: Int
    /// One line per route tried before, with the error that moved the call on.
    public var skipped: [String]

    /// Whether a fallback answered.
    public var isFallback: Bool { routeIndex > 0 }
}
