import Foundation
import MistralGatewayCore
import MistralKit
import Synchronization

/// One JSON line per request, for log pipelines: when, which key (by its prefix, never its
/// secret), what was asked, how it ended, how long it took and what it cost.
///
/// Lines are written with one `write` each, in the order requests end; a failed write is
/// dropped (the ledger, not this log, is the record of account).
public final class AccessLog: Sendable {
    private let handle: FileHandle
    private let lock = Mutex(())

    /// A log writing to `handle` (standard output for `mistral serve`).
    public init(handle: FileHandle) {
        self.handle = handle
    }

    func write(_ entry: LedgerEntry, keyPrefix: String) {
        var line: [String: JSONValue] = [
            "time": .string(Self.timestamp(entry.timestamp)),
            "request_id": .string(entry.id), "key": .string(keyPrefix), "owner": .string(entry.owner),
            "endpoint": .string(entry.endpoint), "model": .string(entry.model), "status": .int(entry.status),
            "outcome": .string(entry.outcome), "latency_ms": .double((entry.latencyMilliseconds * 1000).rounded() / 1000),
            "prompt_tokens": .int(entry.promptTokens), "completion_tokens": .int(entry.completionTokens),
            "cost_usd": .double(entry.costUSD),
        ]
        if let ttft = entry.timeToFirstTokenMilliseconds { line["ttft_ms"] = .double((ttft * 1000).rounded() / 1000) }
        if let provider = entry.provider { line["provider"] = .string(provider) }
        if let fallback = entry.fallback { line["fallback"] = .string(fallback) }
        guard var bytes = try? Array(JSONCoding.encode(JSONValue.object(line))) else { return }
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in try? handle.write(contentsOf: bytes) }
    }

    /// `2026-12-02T16:20:24.123Z`, made by hand: Foundation's ISO 8601 style cost more than
    /// the rest of the line.
    static func timestamp(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let milliseconds = min(999, Int(((interval - Double(seconds)) * 1000).rounded(.down)))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}
