import Logging
import MistralKit

/// Everything that shapes one emulator instance. The defaults give a fast, permissive,
/// fault-free Mistral API on `127.0.0.1` with an OS-chosen port.
public struct EmulatorConfiguration: Sendable {
    /// The address ``MistralEmulator/run()`` binds.
    public var host: String
    /// The port ``MistralEmulator/run()`` binds; 0 lets the OS choose.
    public var port: Int
    /// The API keys accepted as `Authorization: Bearer <key>`; `nil` accepts any non-empty key.
    /// A missing or refused key gets 401 `{"message":"Unauthorized","request_id":"<id>"}`.
    public var acceptedAPIKeys: Set<String>?
    /// Added response latency (real time).
    public var latency: EmulatorLatency
    /// Request and token limits; unlimited by default.
    public var rateLimits: EmulatorRateLimits
    /// The clock rate-limit windows are measured on. Tests pass a manual clock to make refills
    /// and window resets exact; latency always uses real time.
    public var clock: any Clock<Duration>
    /// Faults applied to the first requests, one per request in arrival order (a request's
    /// own `x-emulator-fault` header wins, but it still consumes its entry).
    public var faultSchedule: [EmulatorFault]
    /// The models served; see ``EmulatorModels/defaultCards``.
    public var models: [ModelCard]
    /// The default output dimension of each embedding model, by id or alias.
    public var embeddingDimensions: [String: Int]
    /// Exact questions (the last user message, or a FIM prompt) with known answers.
    public var cannedAnswers: [String: String]
    /// The body shape of 422 answers.
    public var validationErrorStyle: ValidationErrorStyle
    /// The longest a ``EmulatorFault/hang`` (or a stalled stream) lasts before the emulator
    /// closes the connection. Mistral closes idle streams after 10 minutes.
    public var maximumHang: Duration
    /// The largest request body accepted; larger ones get 413.
    public var maxRequestBodyBytes: Int
    /// Where the emulator logs (requests at `debug`, faults at `info`).
    public var logger: Logger

    /// A configuration; every setting defaults to the value described on its property.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        acceptedAPIKeys: Set<String>? = nil,
        latency: EmulatorLatency = .none,
        rateLimits: EmulatorRateLimits = .unlimited,
        clock: any Clock<Duration> = ContinuousClock(),
        faultSchedule: [EmulatorFault] = [],
        models: [ModelCard] = EmulatorModels.defaultCards,
        embeddingDimensions: [String: Int] = EmulatorModels.defaultEmbeddingDimensions,
        cannedAnswers: [String: String] = EmulatorConfiguration.defaultCannedAnswers,
        validationErrorStyle: ValidationErrorStyle = .fastAPI,
        maximumHang: Duration = .seconds(600),
        maxRequestBodyBytes: Int = 32 << 20,
        logger: Logger = Logger(label: "MistralEmulator")
    ) {
        self.host = host
        self.port = port
        self.acceptedAPIKeys = acceptedAPIKeys
        self.latency = latency
        self.rateLimits = rateLimits
        self.clock = clock
        self.faultSchedule = faultSchedule
        self.models = models
        self.embeddingDimensions = embeddingDimensions
        self.cannedAnswers = cannedAnswers
        self.validationErrorStyle = validationErrorStyle
        self.maximumHang = maximumHang
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.logger = logger
    }

    /// The built-in canned answers: "What is the capital of France?" gives "The capital of
    /// France is Paris.", and the FIM prompt "def fibonacci(n: int):" gives a recursive body.
    public static let defaultCannedAnswers: [String: String] = [
        "What is the capital of France?": "The capital of France is Paris.",
        "def fibonacci(n: int):": "\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    ]
}
