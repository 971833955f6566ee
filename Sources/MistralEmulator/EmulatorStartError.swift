/// The emulator could not start serving (for example, the server stopped before listening).
public struct EmulatorStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// An error saying `message`.
    public init(message: String) { self.message = message }

    public var description: String { message }
}
