import Foundation
import MistralTestSupport
import Testing

@testable import MistralKit

/// The typed fast paths (chunks, responses) and the fast request encoder are optimisations
/// only: they must give exactly what the tree path and Foundation's `JSONEncoder` give, or step
/// aside. Checked on fixtures and on seeded random inputs, valid and broken.
struct JSONFastPathTests {
    // MARK: - Reference paths

    /// The tree path a chunk took before the fast path (and still takes when it steps aside).
    static func treeChunk(_ text: String) -> ChatCompletionChunk? {
        guard let json = try? JSONParser.parse(Array(text.utf8)) else { return nil }
        return try? ChatCompletionChunk(json: json)
    }

    static func treeResponse(_ text: String) -> ChatCompletionResponse? {
        guard let json = try? JSONParser.parse(Array(text.utf8)) else { return nil }
        return try? JSONValueDecoder().decode(ChatCompletionResponse.self, from: json)
    }

    /// `texts` followed by a chunk that finishes every choice they opened, so a stream of them that
    /// ends with `[DONE]` is complete (a `[DONE]` before every choice finished is a cut stream).
    static func finished(_ texts: [String]) -> [String] {
        let indexes = Set(texts.compactMap(treeChunk).flatMap { $0.choices.map(\.index) }).sorted()
        let choices = (indexes.isEmpty ? [0] : indexes).map { #"{"index":\#($0),"delta":{},"finish_reason":"stop"}"# }
        return texts + [#"{"choices":["# + choices.joined(separator: ",") + "]}"]
    }

    static func isErrorBody(_ text: String) -> Bool {
        guard let json = try? JSONParser.parse(Array(text.utf8)) else { return false }
        return json["object"]?.stringValue == "error" || json["error"] != nil || json["detail"] != nil
    }

    /// The fast path either steps aside or agrees with the tree path; never accepts what the
    /// tree path refuses, nor an error body. Returns whether it was taken.
    @discardableResult
    static func expectChunkAgreement(
        _ text: String, previous: ChatCompletionChunk? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        guard let fast = ChatCompletionChunk.fastPath(Array(text.utf8), previous: previous) else { return false }
        #expect(!isErrorBody(text), "fast path took an error body: \(text)", sourceLocation: sourceLocation)
        #expect(fast == treeChunk(text), "fast and tree chunks differ for \(text)", sourceLocation: sourceLocation)
        return true
    }

    @discardableResult
    static func expectResponseAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let fast = Array(text.utf8).withUnsafeBufferPointer { ChatCompletionResponse.fastPath($0) }
        guard let fast else { return false }
        #expect(fast == treeResponse(text), "fast and tree responses differ for \(text)", sourceLocation: sourceLocation)
        return true
    }

    // MARK: - Chunk fixtures

    static let head = #""id":"f7983a4bd6cb4d3c9c2e5a1b0c9d8e7f","object":"chat.completion.chunk","created":1732548656,"model":"mistral-large-latest""#

    static let plainChunks: [String] = [
        #"{\#(head),"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{"content":" token12"},"finish_reason":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{"content":"."},"finish_reason":"stop"}],"usage":{"prompt_tokens":34,"total_tokens":1034,"completion_tokens":1000}}"#,
        // Usage with members this version does not name, and details.
        #"{\#(head),"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"num_cached_tokens":64,"service_tier":"priority","completion_tokens_details":{"reasoning_tokens":3}}}"#,
        // Escapes: unicode, a surrogate pair, raw UTF-8, control escapes, an escaped slash.
        #"{\#(head),"choices":[{"index":0,"delta":{"content":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t\b\f\r ü € 😀"},"finish_reason":null}]}"#,
        // Unknown members everywhere, nulls, whitespace.
        " { \"id\" : null , \"object\":null,\"created\":null,\"model\":null, \"p\":{\"x\":[1,2.5,-3e2,true,false,null,\"s\"]},\n\"choices\" : [ { \"index\" : 1 , \"logprobs\" : null, \"delta\" : { \"role\" : null , \"content\" : null , \"tool_calls\" : null, \"new\":{} } , \"finish_reason\" : null } ] , \"usage\" : null } \r\n",
        // Numbers in other forms that are still integers.
        #"{"created":1.732548656e9,"choices":[{"index":0.0,"delta":{"content":"x"}}]}"#,
        #"{"created":-0,"choices":[{"index":2E0,"delta":{}}]}"#,
        // Thinking chunks and other content chunks.
        #"{\#(head),"choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"Let me think."}],"closed":false}]},"finish_reason":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{"content":[{"type":"text","text":"42"},{"type":"hologram","z":1}]},"finish_reason":null}]}"#,
        // Tool calls: a first piece and a continuation; arguments as a string and as an object.
        #"{\#(head),"choices":[{"index":0,"delta":{"tool_calls":[{"id":"D681PevKs","type":"function","function":{"name":"get_order","arguments":"{\"id\":"},"index":0}]},"finish_reason":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{"tool_calls":[{"id":"null","function":{"name":"","arguments":{"a":[1,{"b":null}]}},"index":0}]},"finish_reason":"tool_calls"}]}"#,
        // Several choices, an empty list, no choices.
        #"{\#(head),"choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"},"finish_reason":"length"}]}"#,
        #"{\#(head),"choices":[]}"#,
        #"{}"#,
        #"{"choices":null,"usage":{}}"#,
        // Unknown finish reasons are kept.
        #"{\#(head),"choices":[{"index":0,"delta":{"content":""},"finish_reason":"brand_new_reason"}]}"#,
    ]

    /// Bytes the fast path must leave to the tree path (which accepts or refuses them as before).
    static let leftToTheTreePath: [String] = [
        #"{"object":"error","message":"Service unavailable","type":"internal_error","code":"1000"}"#,
        #"{"error":{"message":"boom"},"choices":[]}"#,
        #"{"detail":[{"loc":["body"],"msg":"x","type":"y"}]}"#,
        #"{"error":null}"#,
        #"{"id":"a","id":"b","choices":[]}"#,  // a repeated member: the last one wins on the tree path
        #"{"\u0069d":"escaped name","choices":[]}"#,
        #"{"créé":1,"choices":[]}"#,
        #"{"created":"1732548656","choices":[]}"#,
        #"{"created":1.5,"choices":[]}"#,
        #"{"created":1e40,"choices":[]}"#,
        #"{"choices":{}}"#,
        #"{"choices":[null]}"#,
        #"{"choices":[{"index":0,"delta":"text"}]}"#,
        #"{"choices":[{"index":0,"delta":{"content":5}}]}"#,
        #"{"choices":[{"index":0,"finish_reason":1}]}"#,
        #"{"usage":{"prompt_tokens":"many"}}"#,
        #"{"choices":[],}"#,
        #"{"choices":[]} x"#,
        #"{"choices":[{"index":0,"delta":{"content":"\ud83d"}}]}"#,
        #"{"choices":[{"index":0,"delta":{"content":"a"}}]"#,
        #"[1,2]"#,
        #"null"#,
        "",
    ]

    @Test func plainChunksTakeTheFastPathAndAgree() {
        for text in Self.plainChunks {
            #expect(Self.expectChunkAgreement(text), "fast path stepped aside for \(text)")
        }
    }

    @Test func lentStringsAreUsedOnlyWhenTheBytesAreTheSame() {
        let previous = ChatCompletionChunk(id: "a\nb", object: "chat.completion.chunk", created: 1, model: "m\u{e9}", choices: [])
        // Escaped or raw forms of the same text: decoded (or refused) by the parser, never lent.
        #expect(ChatCompletionChunk.fastPath(Array(#"{"id":"a\nb","model":"m\u00e9","choices":[]}"#.utf8), previous: previous)?.id == "a\nb")
        #expect(ChatCompletionChunk.fastPath(Array("{\"id\":\"a\nb\",\"choices\":[]}".utf8), previous: previous) == nil)
        for text in Self.plainChunks + Self.leftToTheTreePath {
            for other in Self.plainChunks.compactMap(Self.treeChunk) { Self.expectChunkAgreement(text, previous: other) }
        }
    }

    @Test func unusualChunksAreLeftToTheTreePath() {
        for text in Self.leftToTheTreePath {
            #expect(ChatCompletionChunk.fastPath(Array(text.utf8)) == nil, "fast path took \(text)")
        }
    }

    @Test func streamsDecodeTheSameWithAndWithoutTheFastPath() async throws {
        // A stream of every plain chunk (those on one line), then [DONE]: folded the same as
        // chunk by chunk on the tree path.
        let texts = Self.finished(Self.plainChunks.filter { !$0.contains("\n") && !$0.contains("\r") })
        let events = texts.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n"
        var iterator = ChatCompletionStream(body: ResponseBody(bytes: Array(events.utf8))).makeAsyncIterator()
        var chunks: [ChatCompletionChunk] = []
        while let chunk = try await iterator.next() { chunks.append(chunk) }
        #expect(chunks == texts.map { Self.treeChunk($0)! })
        var accumulator = ChatCompletionAccumulator()
        for text in texts { accumulator.add(Self.treeChunk(text)!) }
        #expect(iterator.accumulator.response == accumulator.response)
    }

    @Test func errorEventsStillThrowStreamErrors() async throws {
        let events = "data: \(Self.plainChunks[1])\n\ndata: {\"object\":\"error\",\"message\":\"Service unavailable\",\"type\":\"internal_error\"}\n\n"
        let stream = ChatCompletionStream(body: ResponseBody(bytes: Array(events.utf8)))
        let error = await #expect(throws: MistralError.self) { _ = try await stream.collect() }
        #expect(error?.kind == .streamError)
        #expect(error?.partial?.text == " token12")
    }

    // MARK: - Random chunks

    @Test func randomChunksAgree() {
        var random = SplitMix64(seed: 0x5EED_C4A7)
        var taken = 0
        var previous: ChatCompletionChunk?
        for _ in 0..<3000 {
            let text = RandomJSON.chunk(&random)
            if Self.expectChunkAgreement(text) { taken += 1 }
            // Strings lent by the previous chunk change nothing.
            Self.expectChunkAgreement(text, previous: previous)
            previous = Self.treeChunk(text) ?? previous
            // The same text cut short or with one byte changed: never accepted differently.
            let bytes = Array(text.utf8)
            if !bytes.isEmpty {
                let cut = Int.random(in: 0..<bytes.count, using: &random)
                Self.expectChunkAgreement(String(decoding: bytes[..<cut], as: UTF8.self))
                var changed = bytes
                changed[cut] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "}"), 0x80, UInt8(ascii: "1"), UInt8(ascii: " ")]
                    .randomElement(using: &random)!
                if let changedText = String(validating: changed, as: UTF8.self) { Self.expectChunkAgreement(changedText) }
                #expect(changed.withUnsafeBufferPointer { ChatCompletionChunk.fastPath($0) } == nil || Self.treeChunk(String(decoding: changed, as: UTF8.self)) != nil)
            }
        }
        // Most random chunks are plain enough for the fast path.
        #expect(taken > 1500)
    }

    // MARK: - Chunks added straight from their bytes (`collect()`)

    /// Adding a chunk from its bytes either steps aside, leaving the accumulator as it was, or
    /// leaves it exactly as adding the tree path's chunk does. Returns whether it was taken.
    @discardableResult
    static func expectFoldAgreement(
        _ text: String, into accumulator: inout ChatCompletionAccumulator, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        var folded = accumulator
        let taken = Array(text.utf8).withUnsafeBufferPointer { bytes in
            do {
                try folded.add(chunkJSON: bytes)
                return true
            } catch {
                return false
            }
        }
        guard taken else {
            #expect(folded.response == accumulator.response && folded.chunkCount == accumulator.chunkCount, "a miss changed the accumulator: \(text)", sourceLocation: sourceLocation)
            return false
        }
        #expect(!isErrorBody(text), "took an error body: \(text)", sourceLocation: sourceLocation)
        guard let chunk = treeChunk(text) else {
            Issue.record("took what the tree path refuses: \(text)", sourceLocation: sourceLocation)
            return true
        }
        accumulator.add(chunk)
        #expect(folded.response == accumulator.response, "folded differently: \(text)", sourceLocation: sourceLocation)
        #expect(folded.chunkCount == accumulator.chunkCount && folded.isFinished == accumulator.isFinished, sourceLocation: sourceLocation)
        accumulator = folded
        return true
    }

    @Test func plainChunksAreAddedFromTheirBytesAsTheTreePathAddsThem() {
        var accumulator = ChatCompletionAccumulator()
        for text in Self.plainChunks {
            #expect(Self.expectFoldAgreement(text, into: &accumulator), "stepped aside for \(text)")
        }
        for text in Self.leftToTheTreePath {
            #expect(!Self.expectFoldAgreement(text, into: &accumulator), "took \(text)")
        }
    }

    @Test func randomChunksAreAddedFromTheirBytesAsTheTreePathAddsThem() {
        var random = SplitMix64(seed: 0xF01D_C4A7)
        var accumulator = ChatCompletionAccumulator()
        var taken = 0
        for round in 0..<3000 {
            // Streams of a few dozen chunks, so ids, models and choices repeat and differ.
            if round % 40 == 0 { accumulator = ChatCompletionAccumulator() }
            let text = RandomJSON.chunk(&random)
            if Self.expectFoldAgreement(text, into: &accumulator) { taken += 1 }
            let bytes = Array(text.utf8)
            if !bytes.isEmpty {
                let cut = Int.random(in: 0..<bytes.count, using: &random)
                var changed = bytes
                changed[cut] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "}"), 0x80, UInt8(ascii: "1"), UInt8(ascii: " ")]
                    .randomElement(using: &random)!
                if let changedText = String(validating: changed, as: UTF8.self) { Self.expectFoldAgreement(changedText, into: &accumulator) }
                Self.expectFoldAgreement(String(decoding: bytes[..<cut], as: UTF8.self), into: &accumulator)
            }
        }
        #expect(taken > 1500)
    }

    @Test func chunksThatDifferOnlyInTheirTextAreAddedAsTheTreePathAddsThem() {
        // The bytes around the text repeat from chunk to chunk; what stands where the text
        // stood is anything: another string, or something that only looks like the rest.
        var random = SplitMix64(seed: 0x7E4F_1A7E)
        var accumulator = ChatCompletionAccumulator()
        var taken = 0
        for round in 0..<4000 {
            if round % 50 == 0 { accumulator = ChatCompletionAccumulator() }
            for text in Self.templatedChunks(&random) where Self.expectFoldAgreement(text, into: &accumulator) { taken += 1 }
        }
        #expect(taken > 6000)
    }

    @Test func iteratingChunksThatDifferOnlyInTheirTextGivesTheTreePathsChunks() async throws {
        var random = SplitMix64(seed: 0x1E7A_7E4F)
        for _ in 0..<300 {
            var texts: [String] = []
            for _ in 0..<5 { texts += Self.templatedChunks(&random) }
            // Only what the tree path reads as a chunk: anything else ends the stream.
            texts = Self.finished(texts.filter { !$0.contains("\n") && !Self.isErrorBody($0) && Self.treeChunk($0) != nil })
            let events = texts.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n"
            var chunks: [ChatCompletionChunk] = []
            for try await chunk in ChatCompletionStream.over(PiecewiseBody(events, splitEvery: Int.random(in: 1...400, using: &random))) {
                chunks.append(chunk)
            }
            #expect(chunks == texts.map { Self.treeChunk($0)! })
        }
    }

    /// A plain text chunk (a template), then the same bytes around other middles: other
    /// strings, or things that only look like the rest.
    static func templatedChunks(_ random: inout SplitMix64) -> [String] {
        let heads = [
            #"{\#(head),"choices":[{"index":0,"delta":{"content":"#,
            #"{\#(head),"choices":[{"index":2,"delta":{"role":"assistant","content":"#,
            #"{"choices":[{"delta":{"content":"#,
        ]
        let tails = [#"},"finish_reason":null}]}"#, #"}}]}"#, #"},"finish_reason":null,"logprobs":null}],"extra":[1,{"a":"}"}]}"#]
        let middles = [
            #""plain""#, #""""#, #""with \"escapes\" and \u00e9 \ud83d\ude00""#, #""é 日本 😀""#, "null", "5", #"[{"type":"text","text":"t"}]"#,
            #""a","content":"b""#, #""a"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#,
            #""a"}],"object":"error","x":{"y":""#, #""unterminated"#, #""a" "#, #" "a""#, "\"raw \u{01} control\"", #""a"}"#, #""\""#,
            #""}]}""#, #"""a""#,
        ]
        let head = RandomJSON.pick(heads, &random)
        let tail = RandomJSON.pick(tails, &random)
        return [head + #""t""# + tail] + (0..<3).map { _ in head + RandomJSON.pick(middles, &random) + tail }
    }

    @Test func collectFoldsAStreamAsIteratingItDoes() async throws {
        var random = SplitMix64(seed: 0xC011_EC7)
        for _ in 0..<50 {
            // Plain chunks, with now and then one only the slower paths read (content chunks,
            // a repeated member): `collect()` must mix both paths in order.
            var texts: [String] = []
            for _ in 0..<Int.random(in: 1..<30, using: &random) {
                let text = RandomJSON.chunk(&random)
                guard !text.contains("\n"), !text.contains("\r"), Self.treeChunk(text) != nil, !Self.isErrorBody(text) else { continue }
                texts.append(text)
            }
            texts.append(#"{"choices":[{"index":0,"delta":{"content":"."},"finish_reason":"stop"}]}"#)
            texts = Self.finished(texts)
            let events = texts.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n"
            // Read in pieces of any size, so events are cut anywhere between reads too.
            let pieces = Int.random(in: 1...300, using: &random)
            let collected = try await ChatCompletionStream.over(PiecewiseBody(events, splitEvery: pieces)).collect()
            var iterator = ChatCompletionStream.over(PiecewiseBody(events, splitEvery: pieces)).makeAsyncIterator()
            while try await iterator.next() != nil {}
            #expect(collected == iterator.accumulator.response)
            #expect(collected.usage == Self.treeChunk(texts.last { Self.treeChunk($0)?.usage != nil } ?? "")?.usage)
        }
    }

    // MARK: - String scanning

    @Test func stringScanFindsTheFirstSpecialByteAsAByteLoopDoes() {
        var random = SplitMix64(seed: 0x5CA7)
        let alphabet: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF, UInt8(ascii: "a")]
        for _ in 0..<20000 {
            let count = Int.random(in: 0..<40, using: &random)
            // Mostly plain bytes, with a few special ones anywhere.
            let bytes = (0..<count).map { _ in
                RandomJSON.chance(8, &random) ? RandomJSON.pick(alphabet, &random) : UInt8.random(in: 0x20...0xFF, using: &random)
            }
            let start = count == 0 ? 0 : Int.random(in: 0...count, using: &random)
            let expected = bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? count
            let end = Int.random(in: start...count, using: &random)
            bytes.withUnsafeBufferPointer { buffer in
                #expect(JSONStringScan.plainEnd(buffer, from: start) == expected, "\(bytes) from \(start)")
                #expect(JSONStringScan.isASCII(buffer, start..<end) == bytes[start..<end].allSatisfy { $0 < 0x80 }, "\(bytes) \(start)..<\(end)")
            }
        }
    }

    // MARK: - Responses

    static let responses: [String] = [
        String(decoding: Array(#"{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Our return policy allows returns within 30 days.","tool_calls":null,"prefix":false},"finish_reason":"stop"}],"usage":{"prompt_tokens":412,"completion_tokens":78,"total_tokens":490,"prompt_tokens_details":{"cached_tokens":384}}}"#.utf8), as: UTF8.self),
        #"{"id":"cmpl-1","object":"chat.completion","created":1702256327,"model":"mistral-small-latest","data":null,"brand_new_field":{"x":1},"choices":[{"index":0,"finish_reason":"brand_new_reason","messages":[],"message":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Let me think."}]},{"type":"text","text":"42"}],"tool_calls":[{"id":"D681PevKs","type":"function","function":{"name":"f","arguments":{"a":1}},"index":0}],"prefix":false}}],"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"num_cached_tokens":64,"service_tier":"priority"}}"#,
        #"{"choices":[]}"#,
        #"{"choices":[{"message":null}],"usage":null,"created":2.0}"#,
        #"{"id":"1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"caf\u00e9 \ud83d\ude00"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#,
    ]

    @Test func responsesTakeTheFastPathAndAgree() throws {
        for text in Self.responses {
            #expect(Self.expectResponseAgreement(text), "fast path stepped aside for \(text)")
            // And the public decoding entry point gives the same.
            #expect(try JSONCoding.decode(ChatCompletionResponse.self, from: Array(text.utf8)) == Self.treeResponse(text))
        }
        for text in [#"{"choices":[{"message":{"prefix":"yes"}}]}"#, #"{"id":1}"#, #"{"model":"a","model":"b"}"#, #"{"choices":[{"message":{"content":7}}]}"#] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { ChatCompletionResponse.fastPath($0) } == nil, "fast path took \(text)")
        }
    }

    @Test func responseErrorsAreUnchanged() {
        // The same DecodingError (same path, same message) as before the fast path.
        let text = #"{"choices":[{"index":0,"message":{"prefix":"yes"}}]}"#
        let viaBytes = #expect(throws: DecodingError.self) { try JSONCoding.decode(ChatCompletionResponse.self, from: Array(text.utf8)) }
        let viaTree = #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(ChatCompletionResponse.self, from: try JSONParser.parse(Array(text.utf8)))
        }
        #expect(MistralClient.summary(of: viaBytes!) == MistralClient.summary(of: viaTree!))
        #expect(MistralClient.summary(of: viaBytes!) == "expected Bool at choices.0.message.prefix")
    }

    @Test func randomResponsesAgree() {
        var random = SplitMix64(seed: 0xC0FFEE)
        var taken = 0
        for _ in 0..<1500 {
            let text = RandomJSON.response(&random)
            if Self.expectResponseAgreement(text) { taken += 1 }
            let bytes = Array(text.utf8)
            let cut = Int.random(in: 0..<bytes.count, using: &random)
            Self.expectResponseAgreement(String(decoding: bytes[..<cut], as: UTF8.self))
        }
        #expect(taken > 700)
    }

    // MARK: - Request encoding

    /// The fast encoder gives Foundation's bytes exactly, or steps aside.
    static func expectSameEncoding<T: Encodable>(_ value: T, mustBeFast: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let foundation = try? JSONCoding.foundationEncode(value)
        let fast = try? SortedKeysJSONEncoder.encode(value)
        if let fast {
            #expect(foundation.map(Array.init) == fast, "\(String(decoding: fast, as: UTF8.self)) vs \(foundation.map { String(decoding: $0, as: UTF8.self) } ?? "a Foundation error")", sourceLocation: sourceLocation)
        } else if mustBeFast {
            Issue.record("the fast encoder stepped aside", sourceLocation: sourceLocation)
        }
        #expect((try? JSONCoding.encode(value)) == foundation, sourceLocation: sourceLocation)
    }

    @Test func specFixtureRequestsEncodeIdentically() throws {
        Self.expectSameEncoding(WireModelTests.everyField)
        var streamed = WireModelTests.everyField
        streamed.stream = true
        streamed.responseFormat = .jsonSchema(name: "order", schema: ["type": "object", "properties": ["id": ["type": "string"]]], description: "An order")
        streamed.toolChoice = .function(name: "get_order")
        streamed.stop = "END"
        Self.expectSameEncoding(streamed)
        for message in WireModelTests.everyField.messages { Self.expectSameEncoding(message) }
        let chunks = try JSONCoding.decode([ContentChunk].self, from: Array(RandomJSON.everyContentChunk.utf8))
        Self.expectSameEncoding(ChatCompletionRequest(model: "m", messages: [.user(content: .chunks(chunks)), .assistant(AssistantMessage(content: nil, toolCalls: [ToolCall(id: "c1", function: .init(name: "f", arguments: #"{"a":1}"#))], prefix: true)), .tool(callID: "c1", name: "f", content: "ok"), .system(content: .chunks([.text("a"), .thinking(.init(thinking: [.text("t")], signature: "s", closed: true))]))]))
        Self.expectSameEncoding(FIMCompletionRequest(model: "codestral-latest", prompt: "def f(", suffix: "return x", temperature: 0.2, maxTokens: 10))
        Self.expectSameEncoding(EmbeddingRequest(model: "mistral-embed", input: ["a", "b/c", "\u{1}"]))
        Self.expectSameEncoding(ClassificationRequest(model: "mistral-moderation-latest", input: ["text"]))
        // Usage writes its extra members and its own through two containers of one encoder.
        let usage = try JSONCoding.decode(
            UsageInfo.self,
            from: Array(#"{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"num_cached_tokens":64,"service_tier":"priority","completion_tokens_details":{"reasoning_tokens":2}}"#.utf8))
        Self.expectSameEncoding(usage)
        Self.expectSameEncoding(Self.treeResponse(Self.responses[1])!)
    }

    /// A request mapped to another dialect is encoded to a tree first: written out unchanged, that
    /// tree gives the request's own bytes.
    @Test func requestTreesWriteAsTheRequestsDo() throws {
        func expectSameTree<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let tree = try JSONCoding.encodeTree(value)
            #expect(try JSONCoding.encodeBytes(tree) == JSONCoding.encodeBytes(value), sourceLocation: sourceLocation)
        }
        var streamed = WireModelTests.everyField
        streamed.stream = true
        streamed.toolChoice = .function(name: "get_order")
        try expectSameTree(WireModelTests.everyField)
        try expectSameTree(streamed)
        try expectSameTree(FIMCompletionRequest(model: "codestral-latest", prompt: "def f(", suffix: "return x", temperature: 0.2, maxTokens: 10))
        try expectSameTree([Float(0.1), 1.5, -2, 3.4028235e38, 1e-45, 16_777_217])
        try expectSameTree([0.1, 0.30000000000000004, 1e22, 5e-324, -0.0])
        try expectSameTree([Int.min, -1, 0, Int.max])
    }

    @Test func numbersAndStringsEncodeIdentically() {
        let doubles: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.3, 1.5, 100, 1e15, 1e16, 1e21, 1e22, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308,
            1e-7, 1.0e-4, 123456789.125, -3.14159, 0.30000000000000004, 9007199254740993, 4.35,
        ]
        for value in doubles { Self.expectSameEncoding(["x": JSONValue.double(value)]) }
        Self.expectSameEncoding(doubles)
        Self.expectSameEncoding([Float(0.1), 1.5, -2, 3.4028235e38, 1e-45, 16_777_217])
        Self.expectSameEncoding([Int.min, -1, 0, 9, 10, Int.max])
        Self.expectSameEncoding([UInt64.max, 0])
        Self.expectSameEncoding([Int8.min, Int8.max])
        var control = ""
        for scalar in 0..<0x20 { control.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let strings = [control, #"quote " backslash \ slash / "#, "é e\u{301} 😀 \u{2028} \u{7F} ﷽", "", "\u{0}"]
        Self.expectSameEncoding(strings)
        Self.expectSameEncoding(Dictionary(uniqueKeysWithValues: strings.enumerated().map { ($1, $0) }))
        // Keys sorted by their UTF-8 bytes (not by case, numbers or locale).
        Self.expectSameEncoding(["b": 1, "B": 2, "a": 3, "_": 4, "10": 5, "9": 6, "é": 7, "e": 8, "😀": 9, "ab": 10, "a\u{0}": 11, "": 12])
        // Non-finite numbers: Foundation's error, not ours.
        Self.expectSameEncoding(["x": Double.nan], mustBeFast: false)
        #expect(throws: EncodingError.self) { try JSONCoding.encode(["x": Double.infinity]) }
        // Foundation's own types are left to Foundation.
        Self.expectSameEncoding(["d": Date(timeIntervalSince1970: 1)], mustBeFast: false)
        Self.expectSameEncoding(["u": URL(string: "https://x/y")!], mustBeFast: false)
        Self.expectSameEncoding(Data([1, 2]), mustBeFast: false)
    }

    @Test func randomValuesEncodeIdentically() {
        var random = SplitMix64(seed: 0xE4C0DE)
        for _ in 0..<1000 {
            Self.expectSameEncoding(RandomJSON.value(&random, depth: 0))
        }
        for _ in 0..<300 {
            Self.expectSameEncoding(RandomJSON.request(&random))
        }
    }
}

/// Random JSON texts and values shaped like Mistral's, with every string and number form.
enum RandomJSON {
    static let everyContentChunk = """
        [{"type":"text","text":"look"},
         {"type":"image_url","image_url":"https://x/cat.png"},
         {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"high"}},
         {"type":"document_url","document_url":"https://x/a.pdf","document_name":"a.pdf"},
         {"type":"reference","reference_ids":[1,"r2"]},
         {"type":"file","file_id":"5b7c-uuid"},
         {"type":"thinking","thinking":[{"type":"text","text":"hmm"}],"closed":false,"signature":"sig"},
         {"type":"input_audio","input_audio":"UklGRg=="},
         {"type":"tool_reference","tool":"web_search","title":"T","url":"https://x"},
         {"type":"hologram","hologram":{"z":1}}]
        """

    static func pick<T>(_ options: [T], _ random: inout SplitMix64) -> T { options.randomElement(using: &random)! }

    static func chance(_ percent: Int, _ random: inout SplitMix64) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    static func space(_ random: inout SplitMix64) -> String { chance(15, &random) ? pick([" ", "\n", "\t", "\r\n ", "  "], &random) : "" }

    /// A JSON string literal with escapes, surrogate pairs and raw UTF-8.
    static func stringLiteral(_ random: inout SplitMix64) -> String {
        let pieces = [
            "a", "token", " ", "é", "€", "😀", "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\uD834\\uDD1E",
            "\\u0000", "\\b", "\\f", "\\r", "/", "日本", "\u{7F}", "{", "}", "[", ",", ":",
        ]
        var text = "\""
        for _ in 0..<Int.random(in: 0..<6, using: &random) { text += pick(pieces, &random) }
        return text + "\""
    }

    /// An integer in one of JSON's forms (all exact integers).
    static func integerLiteral(_ random: inout SplitMix64) -> String {
        let value = Int.random(in: -5...2_000_000_000, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return "\(value).0"
        case 1: return "\(value)e0"
        case 2: return value == 0 ? "-0" : "\(value)"
        case 3: return "\(Double(value) / 100)e2"
        default: return "\(value)"
        }
    }

    static func numberLiteral(_ random: inout SplitMix64) -> String {
        pick(["0", "-0", "1", "-12", "3.25", "1e3", "1E+3", "-2.5e-3", "123456789012345678901234", "0.1", "1.0", "9007199254740993"], &random)
    }

    static func valueLiteral(_ random: inout SplitMix64, depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
        case 0: return "null"
        case 1: return pick(["true", "false"], &random)
        case 2: return numberLiteral(&random)
        case 3: return stringLiteral(&random)
        case 4: return "[" + (0..<Int.random(in: 0..<3, using: &random)).map { _ in valueLiteral(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<Int.random(in: 0..<3, using: &random)).map { index in "\"k\(index)\":" + valueLiteral(&random, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    static func object(_ members: [(String, String)], _ random: inout SplitMix64) -> String {
        var members = members
        members.shuffle(using: &random)
        if chance(30, &random) { members.append(("unknown_\(Int.random(in: 0..<9, using: &random))", valueLiteral(&random, depth: 0))) }
        return "{" + space(&random) + members.map { "\"\($0)\"" + space(&random) + ":" + space(&random) + $1 }.joined(separator: space(&random) + "," + space(&random)) + space(&random) + "}"
    }

    static func orNull(_ literal: String, _ random: inout SplitMix64) -> String { chance(10, &random) ? "null" : literal }

    static func content(_ random: inout SplitMix64) -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return "null"
        case 1: return #"[{"type":"thinking","thinking":[{"type":"text","text":\#(stringLiteral(&random))}]}]"#
        case 2: return #"[{"type":"text","text":\#(stringLiteral(&random))},{"type":"reference","reference_ids":[1,2]}]"#
        default: return stringLiteral(&random)
        }
    }

    static func toolCalls(_ random: inout SplitMix64) -> String {
        let arguments = chance(70, &random) ? stringLiteral(&random) : valueLiteral(&random, depth: 1)
        let call = object(
            [("id", orNull(stringLiteral(&random), &random)), ("type", "\"function\""), ("index", integerLiteral(&random)),
             ("function", object([("name", stringLiteral(&random)), ("arguments", arguments)], &random))], &random)
        return "[" + call + "]"
    }

    static func usage(_ random: inout SplitMix64) -> String {
        var members = [("prompt_tokens", integerLiteral(&random)), ("completion_tokens", integerLiteral(&random)), ("total_tokens", integerLiteral(&random))]
        if chance(50, &random) { members.append(("prompt_tokens_details", #"{"cached_tokens":\#(integerLiteral(&random)),"audio_tokens":0}"#)) }
        if chance(30, &random) { members.append(("num_cached_tokens", integerLiteral(&random))) }
        if chance(30, &random) { members.append(("service_tier", pick(["\"standard\"", "\"priority\"", "7", "null"], &random))) }
        if chance(20, &random) { members.append(("prompt_audio_seconds", pick(["3", "1.5", "\"x\"", "null", "2.0"], &random))) }
        if chance(20, &random) {
            members.append(("completion_tokens_details", pick([#"{"reasoning_tokens":7}"#, #"{"reasoning_tokens":null}"#, #"{"reasoning_tokens":"x"}"#, "[]", "null", "\"x\""], &random)))
        }
        if chance(10, &random) { members.append(("prompt_tokens_details", pick([#"{"cached_tokens":1.5}"#, "[1]", "null"], &random))) }
        if chance(5, &random) { members.append(("total_tokens", pick(["\"x\"", "1.5", "null"], &random))) }
        return object(members, &random)
    }

    static func chunk(_ random: inout SplitMix64) -> String {
        var delta: [(String, String)] = []
        if chance(30, &random) { delta.append(("role", orNull("\"assistant\"", &random))) }
        if chance(85, &random) { delta.append(("content", content(&random))) }
        if chance(15, &random) { delta.append(("tool_calls", chance(20, &random) ? "null" : toolCalls(&random))) }
        var choices: [String] = []
        for index in 0..<pick([1, 1, 1, 2, 0], &random) {
            var choice = [("index", chance(90, &random) ? "\(index)" : integerLiteral(&random)), ("delta", chance(5, &random) ? "null" : object(delta, &random))]
            if chance(90, &random) { choice.append(("finish_reason", chance(80, &random) ? "null" : pick(["\"stop\"", "\"length\"", "\"tool_calls\"", "\"new\""], &random))) }
            choices.append(object(choice, &random))
        }
        var members = [
            ("id", orNull(stringLiteral(&random), &random)), ("object", orNull("\"chat.completion.chunk\"", &random)),
            ("created", orNull(integerLiteral(&random), &random)), ("model", orNull(stringLiteral(&random), &random)),
            ("choices", "[" + choices.joined(separator: ",") + "]"),
        ]
        if chance(20, &random) { members.append(("usage", chance(20, &random) ? "null" : usage(&random))) }
        return space(&random) + object(members, &random) + space(&random)
    }

    static func response(_ random: inout SplitMix64) -> String {
        var message: [(String, String)] = [("role", "\"assistant\""), ("content", content(&random))]
        if chance(40, &random) { message.append(("tool_calls", chance(50, &random) ? "null" : toolCalls(&random))) }
        if chance(40, &random) { message.append(("prefix", pick(["true", "false", "null"], &random))) }
        let choice = object([("index", integerLiteral(&random)), ("message", object(message, &random)), ("finish_reason", orNull("\"stop\"", &random))], &random)
        let members = [
            ("id", orNull(stringLiteral(&random), &random)), ("object", "\"chat.completion\""), ("created", integerLiteral(&random)),
            ("model", stringLiteral(&random)), ("choices", "[" + choice + "]"), ("usage", chance(20, &random) ? "null" : usage(&random)),
        ]
        return space(&random) + object(members, &random) + space(&random)
    }

    /// A random tree for the encoder: every scalar form, escapes, keys that sort differently by bytes.
    static func value(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(chance(50, &random))
        case 2: return .int(Int.random(in: Int.min...Int.max, using: &random) >> Int.random(in: 0..<63, using: &random))
        case 3:
            let bits = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &random))
            return .double(bits.isFinite ? bits : pick([0.1, 1e300, -2.5, 100, 1e-9, 12345.678], &random))
        case 4:
            let literal = stringLiteral(&random)
            return (try? JSONParser.parse(Array(literal.utf8))) ?? .string(literal)
        case 5: return .array((0..<Int.random(in: 0..<4, using: &random)).map { _ in value(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &random) {
                members[pick(["a", "B", "b", "_x", "10", "9", "é", "e\u{301}", "😀", "tool_calls", "Z", ""], &random)] = value(&random, depth: depth + 1)
            }
            return .object(members)
        }
    }

    static func request(_ random: inout SplitMix64) -> ChatCompletionRequest {
        func text() -> String { (try? JSONParser.parse(Array(stringLiteral(&random).utf8)))?.stringValue ?? "" }
        func number() -> Double { pick([0, 0.1, 0.7, 1, 1.5, 2, 0.30000000000000004, 1e-5], &random) }
        var messages: [ChatMessage] = []
        for _ in 0..<Int.random(in: 1..<5, using: &random) {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: messages.append(.system(text()))
            case 1: messages.append(.user(text()))
            case 2:
                messages.append(
                    .assistant(AssistantMessage(content: chance(50, &random) ? .text(text()) : nil, toolCalls: chance(50, &random) ? [ToolCall(id: text(), function: .init(name: text(), arguments: text()), index: 0)] : nil, prefix: chance(30, &random) ? true : nil)))
            default: messages.append(.tool(callID: text(), name: chance(50, &random) ? text() : nil, content: text()))
            }
        }
        var request = ChatCompletionRequest(model: text(), messages: messages)
        if chance(50, &random) { request.temperature = number() }
        if chance(50, &random) { request.topP = number() }
        if chance(50, &random) { request.maxTokens = Int.random(in: 1...100_000, using: &random) }
        if chance(30, &random) { request.stream = chance(50, &random) }
        if chance(30, &random) { request.stop = chance(50, &random) ? .one(text()) : .many([text(), text()]) }
        if chance(30, &random) { request.randomSeed = Int.random(in: 0...Int.max, using: &random) }
        if chance(30, &random) { request.metadata = value(&random, depth: 1).objectValue ?? ["k": .string(text())] }
        if chance(30, &random) {
            request.responseFormat = pick([.text, .jsonObject, .jsonSchema(name: text(), schema: value(&random, depth: 1), description: chance(50, &random) ? text() : nil, strict: chance(50, &random))], &random)
        }
        if chance(30, &random) {
            request.tools = [.function(name: text(), description: chance(50, &random) ? text() : nil, parameters: value(&random, depth: 1))]
        }
        if chance(30, &random) { request.toolChoice = pick([.auto, .none, .any, .required, .function(name: text())], &random) }
        if chance(30, &random) { request.presencePenalty = number() }
        if chance(30, &random) { request.frequencyPenalty = number() }
        if chance(30, &random) { request.n = Int.random(in: 1...4, using: &random) }
        if chance(30, &random) { request.prediction = Prediction(content: text()) }
        if chance(30, &random) { request.parallelToolCalls = chance(50, &random) }
        if chance(30, &random) { request.reasoningEffort = pick([.none, .low, .high, "brand_new"], &random) }
        if chance(30, &random) { request.promptCacheKey = text() }
        if chance(30, &random) { request.serviceTier = pick([.auto, .standardOnly, .priority], &random) }
        if chance(30, &random) { request.safePrompt = chance(50, &random) }
        if chance(20, &random) { request.guardrails = [GuardrailConfig(blockOnError: chance(50, &random))] }
        return request
    }
}
