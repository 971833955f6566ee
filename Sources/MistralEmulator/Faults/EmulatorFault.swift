/// A failure the emulator injects into one request, to test how clients cope.
///
/// Choose it per request with the ``headerName`` header (syntax in ``init(headerValue:)``), or
/// for a sequence of requests with ``EmulatorConfiguration/faultSchedule``.
///
/// | fault | what the client sees |
/// |---|---|
/// | ``status(_:retryAfter:)`` | that status with a Mistral-shaped error body (and `Retry-After`) |
/// | ``resetBeforeHeaders`` | the connection closes before any response byte |
/// | ``resetAfterHeaders`` | headers and part of the body arrive, then the connection closes |
/// | ``cutStream(afterChunks:)`` | N stream chunks, then the body ends without a finish reason or `[DONE]` |
/// | ``stallStream(afterChunks:)`` | N stream chunks, then silence until the client gives up |
/// | ``malformedJSON`` | a 200 whose JSON body (or second stream event) is cut in the middle |
/// | ``hang`` | no answer at all until the client gives up or the server shuts down |
///
/// Faults that act after the headers (reset-after-headers, stream cuts and stalls, malformed
/// JSON) apply to successful answers only; on a JSON answer, the stream faults act like
/// reset-after-headers (cut) and a hang after the headers (stall).
public struct EmulatorFault: Sendable, Hashable, CustomStringConvertible {
    enum Action: Sendable, Hashable {
        case none
        case status(Int, retryAfter: Int?)
        case resetBeforeHeaders
        case resetAfterHeaders
        case cutStream(afterChunks: Int)
        case stallStream(afterChunks: Int)
        case malformedJSON
        case hang
    }

    let action: Action
    /// A wait before the request is handled at all, in addition to the configured latency.
    public var delay: Duration?

    init(action: Action, delay: Duration? = nil) {
        self.action = action
        self.delay = delay
    }

    /// The request header that selects a fault: `x-emulator-fault`.
    public static let headerName = "x-emulator-fault"

    /// No fault: the request is answered normally (useful inside a schedule).
    public static let noFault = EmulatorFault(action: .none)
    /// Answer with `status` and a Mistral-shaped error body; `retryAfter` adds `Retry-After`.
    public static func status(_ status: Int, retryAfter: Int? = nil) -> EmulatorFault {
        EmulatorFault(action: .status(status, retryAfter: retryAfter))
    }
    /// Close the connection without writing a response.
    public static let resetBeforeHeaders = EmulatorFault(action: .resetBeforeHeaders)
    /// Write the headers and part of the body, then close the connection.
    public static let resetAfterHeaders = EmulatorFault(action: .resetAfterHeaders)
    /// Send `count` stream chunks, then end the body without a finish reason or `[DONE]`.
    public static func cutStream(afterChunks count: Int) -> EmulatorFault { EmulatorFault(action: .cutStream(afterChunks: count)) }
    /// Send `count` stream chunks, then send nothing more until the client disconnects.
    public static func stallStream(afterChunks count: Int) -> EmulatorFault { EmulatorFault(action: .stallStream(afterChunks: count)) }
    /// Answer 200 with a body whose JSON is cut in the middle.
    public static let malformedJSON = EmulatorFault(action: .malformedJSON)
    /// Never answer; released when the client disconnects, the server shuts down, or
    /// ``EmulatorConfiguration/maximumHang`` passes (then the connection is closed).
    public static let hang = EmulatorFault(action: .hang)
    /// No fault, but wait `duration` first.
    public static func delay(_ duration: Duration) -> EmulatorFault { EmulatorFault(action: .none, delay: duration) }

    /// This fault, after waiting `duration` first.
    public func delayed(by duration: Duration) -> EmulatorFault { EmulatorFault(action: action, delay: duration) }

    /// Parses the ``headerName`` header.
    ///
    /// The value is a list of items separated by `&`, `;` or `,`: at most one of `none`,
    /// `status=CODE`, `reset-before-headers`, `reset-after-headers`, `cut-stream-after=N`,
    /// `stall-stream-after=N`, `malformed-json`, `hang`; plus optionally `retry-after=SECONDS`
    /// (with `status`) and `delay-ms=MILLISECONDS` (with anything). Examples:
    /// `status=503`, `status=429&retry-after=2`, `cut-stream-after=3`, `hang`, `delay-ms=200`.
    /// Throws ``FaultHeaderError`` for anything else; the emulator answers such requests 400.
    public init(headerValue: String) throws {
        var action: Action?
        var retryAfter: Int?
        var delay: Duration?
        func setAction(_ new: Action, _ item: String) throws {
            guard action == nil else { throw FaultHeaderError(value: headerValue, reason: "more than one fault (at '\(item)')") }
            action = new
        }
        func number(_ value: String?, _ item: String) throws -> Int {
            guard let value, let number = Int(value), number >= 0 else {
                throw FaultHeaderError(value: headerValue, reason: "'\(item)' needs a non-negative integer")
            }
            return number
        }
        for item in headerValue.split(whereSeparator: { "&;,".contains($0) }) {
            let parts = item.trimmingWhitespace.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace }
            let key = parts[0].lowercased()
            let value = parts.count > 1 ? parts[1] : nil
            let text = String(item)
            switch key {
            case "none": try setAction(.none, text)
            case "status":
                let code = try number(value, text)
                guard (100...599).contains(code) else {
                    throw FaultHeaderError(value: headerValue, reason: "status \(code) is not an HTTP status")
                }
                try setAction(.status(code, retryAfter: nil), text)
            case "retry-after": retryAfter = try number(value, text)
            case "delay-ms": delay = .milliseconds(try number(value, text))
            case "reset-before-headers": try setAction(.resetBeforeHeaders, text)
            case "reset-after-headers": try setAction(.resetAfterHeaders, text)
            case "cut-stream-after": try setAction(.cutStream(afterChunks: try number(value, text)), text)
            case "stall-stream-after": try setAction(.stallStream(afterChunks: try number(value, text)), text)
            case "malformed-json": try setAction(.malformedJSON, text)
            case "hang": try setAction(.hang, text)
            default: throw FaultHeaderError(value: headerValue, reason: "unknown item '\(text)'")
            }
        }
        if let retryAfter {
            guard case .status(let code, _)? = action else {
                throw FaultHeaderError(value: headerValue, reason: "retry-after goes with status=CODE")
            }
            action = .status(code, retryAfter: retryAfter)
        }
        guard action != nil || delay != nil else { throw FaultHeaderError(value: headerValue, reason: "no fault given") }
        self.init(action: action ?? .none, delay: delay)
    }

    /// The header value that selects this fault (the inverse of ``init(headerValue:)``).
    public var headerValue: String {
        var items: [String]
        switch action {
        case .none: items = ["none"]
        case .status(let code, let retryAfter): items = ["status=\(code)"] + (retryAfter.map { ["retry-after=\($0)"] } ?? [])
        case .resetBeforeHeaders: items = ["reset-before-headers"]
        case .resetAfterHeaders: items = ["reset-after-headers"]
        case .cutStream(let count): items = ["cut-stream-after=\(count)"]
        case .stallStream(let count): items = ["stall-stream-after=\(count)"]
        case .malformedJSON: items = ["malformed-json"]
        case .hang: items = ["hang"]
        }
        if let delay {
            let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
            items.append("delay-ms=\(milliseconds)")
        }
        return items.joined(separator: "&")
    }

    public var description: String { headerValue }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
