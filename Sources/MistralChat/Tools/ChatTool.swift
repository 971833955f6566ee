import AsyncHTTPClient
import Foundation
import MistralKit

/// A business action the model may call: a name, a description, a JSON Schema for its
/// arguments, and what runs it (a Swift closure or an HTTP webhook).
public struct ChatTool: Sendable {
    /// Runs a call: takes the arguments the model gave, returns the result text for the model.
    public enum Handler: Sendable {
        /// A Swift function. Throwing sends the error's description back to the model.
        case swift(@Sendable (JSONValue) async throws -> String)
        /// `POST`s the arguments as JSON to `url`; a 2xx body is the result, anything else an error.
        case webhook(url: String, headers: [String: String] = [:])
    }

    /// The name the model calls it by and agents list it by.
    public var name: String
    /// What it does, for the model to decide when to call it.
    public var description: String
    /// The JSON Schema of its arguments.
    public var parameters: JSONValue
    /// What runs a call.
    public var handler: Handler

    /// A tool named `name`; a later tool with the same name replaces it in an engine.
    public init(name: String, description: String, parameters: JSONValue, handler: Handler) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.handler = handler
    }

    /// The wire form offered to the model.
    var definition: Tool {
        .function(name: name, description: description, parameters: parameters)
    }
}

/// How the engine runs tool calls.
public struct ToolPolicy: Sendable {
    /// Model calls that may ask for tools in one turn; after that the model must answer.
    public var maxSteps: Int
    /// The longest a single tool call may run; a slower one's result is a timeout error.
    public var timeoutPerCall: Duration
    /// Run the calls of one step concurrently.
    public var parallel: Bool
    /// What webhook tools are called through. By default AsyncHTTPClient's shared client; pass
    /// your own transport for TLS, proxy or pool settings, or to test. The engine never shuts it
    /// down; a transport failure becomes an error result the model reads, not a failed turn.
    public var webhookTransport: any MistralTransport
    /// The longest a webhook exchange (response body included) may take before it fails as a
    /// timeout; ``timeoutPerCall`` still bounds the whole call when it is shorter.
    public var webhookTimeout: Duration

    /// A policy with these limits; `webhookTransport` defaults to AsyncHTTPClient's shared client.
    public init(
        maxSteps: Int = 5, timeoutPerCall: Duration = .seconds(10), parallel: Bool = true, webhookTransport: (any MistralTransport)? = nil,
        webhookTimeout: Duration = .seconds(60)
    ) {
        self.maxSteps = max(1, maxSteps)
        self.timeoutPerCall = timeoutPerCall
        self.parallel = parallel
        self.webhookTransport = webhookTransport ?? AsyncHTTPClientTransport(client: .shared)
        self.webhookTimeout = webhookTimeout
    }
}
