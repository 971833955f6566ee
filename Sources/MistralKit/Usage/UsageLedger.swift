import Foundation
import Synchronization

/// Where the client records the usage of each call.
///
/// MistralKit ships an in-memory ledger and an append-only JSON Lines file (the one
/// `mistral usage` reads); MistralStore adds database-backed ones. `record` must not block
/// for long: it runs on the call's path.
public protocol UsageLedger: Sendable {
    /// Stores one record. Failures are the ledger's to report (log them); they never fail a call.
    func record(_ record: UsageRecord)
    /// The records with a timestamp at or after `since` (all when `nil`), oldest first.
    func records(since: Date?) throws -> [UsageRecord]
}

/// A ledger in memory: for tests and short-lived processes.
public final class InMemoryUsageLedger: UsageLedger {
    private let stored = Mutex<[UsageRecord]>([])

    public init() {}

    public func record(_ record: UsageRecord) { stored.withLock { $0.append(record) } }

    public func records(since: Date? = nil) -> [UsageRecord] {
        stored.withLock { records in since.map { since in records.filter { $0.timestamp >= since } } ?? records }
    }
}

/// An append-only JSON Lines file, one ``UsageRecord`` per line: durable across runs, safe to
/// append to from several processes (each line is one `write` to a file opened with
/// `O_APPEND`), readable with `jq`. `mistral usage` reads it.
public final class JSONLinesUsageLedger: UsageLedger {
    public let url: URL
    private let lock = Mutex(())
    private let onError: @Sendable (String) -> Void

    /// A ledger at `url`; its directory is created on first write. `onError` hears about
    /// records that could not be written (by default they are printed to standard error).
    public init(url: URL, onError: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("usage ledger: " + $0 + "\n").utf8)) }) {
        self.url = url
        self.onError = onError
    }

    /// `~/.mistral/usage.jsonl`, or `MISTRAL_USAGE_LEDGER` when set in `environment`.
    public static func defaultURL(environment: [String: String]) -> URL {
        if let path = environment["MISTRAL_USAGE_LEDGER"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".mistral/usage.jsonl")
    }

    public func record(_ record: UsageRecord) {
        var line: [UInt8]
        do {
            line = Array(try Self.encoder().encode(record))
        } catch {
            onError("could not encode a record: \(error)")
            return
        }
        line.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
                guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                defer { close(descriptor) }
                let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written != line.count { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            } catch {
                onError("could not append to \(url.path): \(error)")
            }
        }
    }

    /// The records in the file. A missing file holds none.
    ///
    /// - Throws: `.configuration` naming the line that is not a usage record.
    public func records(since: Date? = nil) throws -> [UsageRecord] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try Data(contentsOf: url)
        var records: [UsageRecord] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            do {
                let record = try Self.decoder().decode(UsageRecord.self, from: Data(line))
                if since.map({ record.timestamp >= $0 }) ?? true { records.append(record) }
            } catch {
                throw MistralError(
                    kind: .configuration,
                    message: "Line \(number + 1) of the usage ledger \(url.path) is not a usage record: \(MistralClient.summary(of: error))")
            }
        }
        return records
    }

    /// Timestamps as ISO 8601 with milliseconds, so the file reads well and sorts as text.
    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.timestampStyle))
        }
        return encoder
    }

    private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = try? Date(text, strategy: Self.timestampStyle) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO 8601 timestamp"))
            }
            return date
        }
        return decoder
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
