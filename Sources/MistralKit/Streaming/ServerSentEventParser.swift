#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental parser for `text/event-stream`, following the WHATWG rules.
///
/// Feed it bytes exactly as they arrive: a line, a CRLF pair or a UTF-8 sequence may be split
/// anywhere between two reads. Lines end with LF, CR or CRLF; lines starting with `:` are
/// comments (keep-alives); `data:` lines accumulate until a blank line dispatches the event.
/// An event still open when the body ends is not dispatched (the stream was cut inside it),
/// and ``finish()`` reports that.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    /// The data of an event with one `data:` line, still in the read being parsed: handed to
    /// the sink from there (copied into `data` only if the read ends before the event does).
    /// Always `nil` between two calls to `feed`, so the parser never holds a pointer across them.
    nonisolated(unsafe) private var dataInPlace: UnsafeBufferPointer<UInt8>?
    private var hasData = false
    private var eventType: String?
    private var lastEventID: String?
    private var retry: Int?
    private var lastByteWasCR = false
    private var atStreamStart = true
    private var pendingFields = false

    public init() {}

    /// Parses `bytes` and appends every event they complete to `events`.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes, into events: inout [ServerSentEvent]) {
        feed(bytes, to: &events)
    }

    /// Parses `bytes` and hands every event they complete to `sink`, its data as bytes.
    mutating func feed<Bytes: Sequence<UInt8>, Sink: ServerSentEventSink>(_ bytes: Bytes, to sink: inout Sink) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(buffer: buffer, into: &sink)
        }
        if handled == nil {
            Array(bytes).withUnsafeBufferPointer { feed(buffer: $0, into: &sink) }
        }
    }

    private mutating func feed<Sink: ServerSentEventSink>(buffer: UnsafeBufferPointer<UInt8>, into events: inout Sink) {
        let lf: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        var index = 0
        if lastByteWasCR, !buffer.isEmpty {
            lastByteWasCR = false
            if buffer[0] == lf { index = 1 }  // the LF of a CRLF pair split across reads
        }
        var lineStart = index
        // Most streams end lines with LF alone: then `memchr` finds each line's end.
        let lfOnly = buffer.baseAddress.map { memchr($0, Int32(cr), buffer.count) == nil } ?? true
        while index < buffer.count {
            if lfOnly {
                guard let found = memchr(buffer.baseAddress! + index, Int32(lf), buffer.count - index) else {
                    index = buffer.count
                    break
                }
                index = buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            let byte = buffer[index]
            guard byte == lf || byte == cr else {
                index += 1
                continue
            }
            let segment = UnsafeBufferPointer(rebasing: buffer[lineStart..<index])
            if line.isEmpty {
                // The whole line is in this read: parse it in place, without copying.
                processLine(segment, inPlace: true, into: &events)
            } else {
                // The line began in an earlier read: finish it in the carried buffer.
                line.append(contentsOf: segment)
                var carried: [UInt8] = []
                swap(&carried, &line)
                carried.withUnsafeBufferPointer { processLine($0, inPlace: false, into: &events) }
                carried.removeAll(keepingCapacity: true)
                swap(&carried, &line)
            }
            index += 1
            if byte == cr {
                if index < buffer.count {
                    if buffer[index] == lf { index += 1 }
                } else {
                    lastByteWasCR = true
                }
            }
            lineStart = index
        }
        line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[lineStart..<buffer.count]))
        keepDataInPlace()
    }

    /// The read ends inside an event: its data can no longer point into the read.
    private mutating func keepDataInPlace() {
        guard let inPlace = dataInPlace else { return }
        data.append(contentsOf: inPlace)
        dataInPlace = nil
    }

    /// Parses `bytes` and returns the events they complete.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        feed(bytes, into: &events)
        return events
    }

    /// Call when the body ends. Returns `true` when bytes of an undispatched event were left,
    /// meaning the stream was cut in the middle of an event.
    public mutating func finish() -> Bool {
        let incomplete = !line.isEmpty || hasData || pendingFields
        line.removeAll()
        data.removeAll()
        dataInPlace = nil
        hasData = false
        pendingFields = false
        return incomplete
    }

    /// `inPlace`: `whole` lies in the read being parsed (not in a buffer reused afterwards).
    private mutating func processLine<Sink: ServerSentEventSink>(
        _ whole: UnsafeBufferPointer<UInt8>, inPlace: Bool, into events: inout Sink
    ) {
        var current = whole[...]
        if atStreamStart {
            atStreamStart = false
            if current.starts(with: [0xEF, 0xBB, 0xBF]) { current = current.dropFirst(3) }
        }
        if current.isEmpty {
            dispatch(into: &events)
            return
        }
        if current.first == UInt8(ascii: ":") { return }
        let colon = current.firstIndex(of: UInt8(ascii: ":"))
        let nameBytes = colon.map { current[..<$0] } ?? current
        var valueStart = colon.map { $0 + 1 } ?? current.endIndex
        if valueStart < current.endIndex, current[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = current[valueStart...]
        switch FieldName(nameBytes) {
        case .data:
            if hasData {
                keepDataInPlace()
                data.append(0x0A)
                data.append(contentsOf: value)
            } else if inPlace {
                dataInPlace = UnsafeBufferPointer(rebasing: value)
            } else {
                data.append(contentsOf: value)
            }
            hasData = true
        case .event:
            eventType = String(decoding: value, as: UTF8.self)
            pendingFields = true
        case .id:
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case .retry:
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                retry = Int(String(decoding: value, as: UTF8.self))
            }
        case .other:
            break  // unknown fields are ignored, as the standard says
        }
    }

    private enum FieldName {
        case data, event, id, retry, other

        init(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
            let name = UnsafeBufferPointer(rebasing: bytes)
            if name.spells("data") {
                self = .data
            } else if name.spells("event") {
                self = .event
            } else if name.spells("id") {
                self = .id
            } else if name.spells("retry") {
                self = .retry
            } else {
                self = .other
            }
        }
    }

    private mutating func dispatch<Sink: ServerSentEventSink>(into events: inout Sink) {
        defer {
            eventType = nil
            pendingFields = false
        }
        guard hasData else { return }
        if let inPlace = dataInPlace {
            events.receive(event: eventType, data: inPlace, id: lastEventID, retry: retry)
            dataInPlace = nil
        } else {
            data.withUnsafeBufferPointer { events.receive(event: eventType, data: $0, id: lastEventID, retry: retry) }
            data.removeAll(keepingCapacity: true)
        }
        hasData = false
    }
}

/// Where ``ServerSentEventParser`` puts the events it completes. An array of
/// ``ServerSentEvent`` is one; a chat stream uses another that keeps the data as bytes, so a
/// chunk is decoded from them without first becoming a `String`.
protocol ServerSentEventSink {
    mutating func receive(event: String?, data: UnsafeBufferPointer<UInt8>, id: String?, retry: Int?)
}

extension Array: ServerSentEventSink where Element == ServerSentEvent {
    mutating func receive(event: String?, data: UnsafeBufferPointer<UInt8>, id: String?, retry: Int?) {
        append(ServerSentEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id, retry: retry))
    }
}
