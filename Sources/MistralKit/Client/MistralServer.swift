/// Where the API lives: Mistral's global, EU or US endpoint, or any base URL (a gateway, the
/// emulator, a local OpenAI-compatible server).
public struct MistralServer: Sendable, Hashable, CustomStringConvertible {
    /// The base URL without a trailing slash; paths like `/v1/chat/completions` are appended.
    public let baseURL: String

    /// Any base URL, e.g. `http://127.0.0.1:8080`. A trailing `/` or `/v1` is removed, so both
    /// `http://host` and OpenAI-style `http://host/v1` work.
    public init(baseURL: String) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/v1") { url.removeLast(3) }
        self.baseURL = url
    }

    /// `https://api.mistral.ai`, the default.
    public static let global = MistralServer(baseURL: "https://api.mistral.ai")
    /// `https://api.eu.mistral.ai` (billed 1.1x; no agents, batch or files).
    public static let eu = MistralServer(baseURL: "https://api.eu.mistral.ai")
    /// `https://api.us.mistral.ai` (billed 1.1x; no agents, batch or files).
    public static let us = MistralServer(baseURL: "https://api.us.mistral.ai")

    /// `global`, `eu` or `us`; `nil` for any other name.
    public init?(named name: String) {
        switch name.lowercased() {
        case "global": self = .global
        case "eu": self = .eu
        case "us": self = .us
        default: return nil
        }
    }

    public var description: String { baseURL }
}
