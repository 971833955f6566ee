import MistralTestSupport
import Testing

@testable import MistralKit

struct ServerSentEventParserTests {
    static let stream = ": keep-alive\r\ndata: {\"a\":1}\r\n\r\nevent: message.output.delta\ndata: line one\ndata: line two\n\n"
        + "id: 7\rretry: 1500\rdata: cr only\r\rdata:no-space\n\ndata: caf\u{e9} \u{1F600}\n\ndata: [DONE]\n\n"

    static let expected = [
        ServerSentEvent(data: #"{"a":1}"#),
        ServerSentEvent(event: "message.output.delta", data: "line one\nline two"),
        ServerSentEvent(data: "cr only", id: "7", retry: 1500),
        ServerSentEvent(data: "no-space", id: "7", retry: 1500),
        ServerSentEvent(data: "caf\u{e9} \u{1F600}", id: "7", retry: 1500),
        ServerSentEvent(data: "[DONE]", id: "7", retry: 1500),
    ]

    @Test func parsesEveryLineEndingCommentsAndFields() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array(Self.stream.utf8)) == Self.expected)
        #expect(parser.finish() == false)
    }

    /// Every possible single split point, then many random multi-way splits: same events.
    @Test func splitsAnywhereGiveTheSameEvents() {
        let bytes = Array(Self.stream.utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            var events = parser.feed(bytes[..<split])
            events += parser.feed(bytes[split...])
            #expect(events == Self.expected, "split at \(split)")
        }
        var generator = SplitMix64(seed: 42)
        for _ in 0..<500 {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var start = 0
            while start < bytes.count {
                let length = Int(generator.next() % 7) + 1
                let end = min(bytes.count, start + length)
                events += parser.feed(bytes[start..<end])
                start = end
            }
            #expect(events == Self.expected)
        }
    }

    @Test func byteOrderMarkIsSkipped() {
        var parser = ServerSentEventParser()
        #expect(parser.feed([0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)) == [ServerSentEvent(data: "x")])
    }

    @Test func anEventCutBeforeItsBlankLineIsNotDispatched() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: {\"complete\":true}\n\ndata: {\"cut\":".utf8)).count == 1)
        #expect(parser.finish() == true)
        var clean = ServerSentEventParser()
        _ = clean.feed(Array("data: x\n\n".utf8))
        #expect(clean.finish() == false)
    }

    @Test func commentsAndEmptyEventsDispatchNothing() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array(":ping\n\n\n\nevent: x\n\n".utf8)).isEmpty)
    }
}
