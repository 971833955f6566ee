/// An `x-emulator-fault` header the emulator cannot read. The emulator answers the request
/// with 400 and this description, so a typo in a test shows up at once.
public struct FaultHeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header value as received.
    public var value: String
    /// What is wrong with it.
    public var reason: String

    /// An error for header `value`, explaining `reason`.
    public init(value: String, reason: String) {
        self.value = value
        self.reason = reason
    }

    public var description: String { "Invalid \(EmulatorFault.headerName) header '\(value)': \(reason)." }
}
