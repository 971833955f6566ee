/// Thrown from a response body (or instead of a response) to drop the connection the way a
/// network fault would; Hummingbird closes the channel when a response fails.
struct InjectedConnectionReset: Error {}
