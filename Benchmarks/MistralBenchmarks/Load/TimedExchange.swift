import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The delegate of one request: notes when the head, the first SSE event and the end arrive,
/// and counts body bytes without keeping or decoding them.
///
/// AsyncHTTPClient calls a delegate on one event loop at a time, so its fields need no lock;
/// `@unchecked Sendable` says so.
final class TimedExchange: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = ExchangeRecord

    private var record: ExchangeRecord
    private let origin: NIODeadline
    private var eventMatch = SSEEventStart()
    private let streaming: Bool

    init(scheduled: Int64, started: Int64, origin: NIODeadline, streaming: Bool) {
        self.record = ExchangeRecord(scheduled: scheduled, started: started, ended: started, bodyBytes: 0)
        self.origin = origin
        self.streaming = streaming
    }

    private var now: Int64 { (NIODeadline.now() - origin).nanoseconds }

    func didReceiveHead(task: HTTPClient.Task<ExchangeRecord>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        record.head = now
        record.status = Int(head.status.code)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<ExchangeRecord>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        record.bodyBytes += buffer.readableBytes
        if streaming && record.firstEvent == nil && eventMatch.scan(buffer.readableBytesView) {
            record.firstEvent = now
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<ExchangeRecord>) throws -> ExchangeRecord {
        record.ended = now
        return record
    }

    /// The record of a request that failed, with the error as its failure.
    func failed(_ error: any Error) -> ExchangeRecord {
        var failed = record
        failed.ended = now
        failed.failure = Self.describe(error)
        return failed
    }

    /// A short, stable name for an error, so that failures can be counted by kind.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return "timeout"
            case .connectTimeout: return "connect timeout"
            case .remoteConnectionClosed: return "remote connection closed"
            case .getConnectionFromPoolTimeout: return "no connection in time"
            default: return "\(error)"
            }
        }
        let description = String(describing: error)
        // NIO's connection errors name every address tried; the kind is what a summary counts.
        if description.contains("Connection refused") { return "connection refused" }
        return description
    }
}

/// Finds the first line starting with `data:` in bytes that arrive in pieces, remembering a
/// partial match across pieces, so a stream's first event is timed without decoding anything.
struct SSEEventStart {
    private static let prefix = Array("data:".utf8)
    /// How many bytes of `data:` the current line has matched; -1 once the line has diverged.
    private var matched = 0

    /// Scans `bytes`; true once a line has begun with `data:`.
    mutating func scan(_ bytes: ByteBufferView) -> Bool {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                matched = 0
            } else if matched >= 0 {
                if byte == Self.prefix[matched] {
                    matched += 1
                    if matched == Self.prefix.count { return true }
                } else {
                    matched = -1
                }
            }
        }
        return false
    }
}
