import Foundation
import MistralKit

/// One request as the emulator received it, for tests to inspect.
public struct RecordedRequest: Sendable {
    /// `GET`, `POST`, `DELETE`, ...
    public var method: String
    /// The path with its query, e.g. `/v1/models?provider=mistralai`.
    public var path: String
    /// Every header in arrival order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body bytes (empty when there was none).
    public var body: [UInt8]
    /// When the request arrived (wall clock).
    public var receivedAt: Date
    /// The fault applied to it, from the header or the schedule; `nil` when none.
    public var fault: EmulatorFault?
    /// The `mistral-correlation-id` the emulator answered with.
    public var correlationID: String

    /// A recorded request (the emulator makes these; tests may build them for comparisons).
    public init(
        method: String, path: String, headers: [(name: String, value: String)], body: [UInt8], receivedAt: Date,
        fault: EmulatorFault?, correlationID: String
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
        self.fault = fault
        self.correlationID = correlationID
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON; `nil` when it is empty or not JSON.
    public var json: JSONValue? { try? JSONCoding.decode(JSONValue.self, from: body) }
}
