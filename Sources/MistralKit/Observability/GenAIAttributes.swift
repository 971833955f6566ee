/// The OpenTelemetry GenAI semantic-convention attribute names the client's spans carry.
///
/// A call span (`chat mistral-small-latest`, kind client) has the request and response
/// attributes and the usage; each attempt is a child span `attempt N` with the HTTP status.
public enum GenAIAttributes {
    public static let providerName = "gen_ai.provider.name"
    /// The older name of ``providerName``, still read by many backends.
    public static let system = "gen_ai.system"
    public static let operationName = "gen_ai.operation.name"
    public static let requestModel = "gen_ai.request.model"
    public static let requestMaxTokens = "gen_ai.request.max_tokens"
    public static let requestTemperature = "gen_ai.request.temperature"
    public static let requestTopP = "gen_ai.request.top_p"
    public static let requestSeed = "gen_ai.request.seed"
    public static let responseModel = "gen_ai.response.model"
    public static let responseID = "gen_ai.response.id"
    public static let responseFinishReasons = "gen_ai.response.finish_reasons"
    public static let usageInputTokens = "gen_ai.usage.input_tokens"
    public static let usageOutputTokens = "gen_ai.usage.output_tokens"
    public static let serverAddress = "server.address"
    public static let serverPort = "server.port"
    public static let errorType = "error.type"
    public static let httpStatusCode = "http.response.status_code"
    public static let resendCount = "http.request.resend_count"
    /// Not in the convention: which fallback route answered, and the call's cost.
    public static let route = "mistralkit.route"
    public static let costUSD = "mistralkit.cost_usd"
}
