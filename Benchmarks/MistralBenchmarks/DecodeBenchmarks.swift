import Foundation
import MistralKit
import NIOCore

/// SSE and JSON decoding costs, in memory (no network).
enum DecodeBenchmarks {
    /// A realistic 1,000-chunk Mistral stream (the shape of a captured one), ~260 bytes a chunk.
    static func stream(chunks: Int) -> [UInt8] {
        var text = ""
        let head = #"data: {"id":"f7983a4bd6cb4d3c9c2e5a1b0c9d8e7f","object":"chat.completion.chunk","created":1732548656,"model":"mistral-large-latest","choices":[{"index":0,"delta":"#
        text += head + #"{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n"
        for index in 1..<chunks - 1 {
            text += head + #"{"content":" token\#(index)"},"finish_reason":null}]}"# + "\n\n"
        }
        text += head + #"{"content":"."},"finish_reason":"stop"}],"usage":{"prompt_tokens":34,"total_tokens":1034,"completion_tokens":1000}}"# + "\n\n"
        text += "data: [DONE]\n\n"
        return Array(text.utf8)
    }

    /// Splits `bytes` into network-sized buffers.
    static func buffers(_ bytes: [UInt8], size: Int) -> [ByteBuffer] {
        stride(from: 0, to: bytes.count, by: size).map { ByteBuffer(bytes: bytes[$0..<min(bytes.count, $0 + size)]) }
    }

    struct Buffers: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let buffers: [ByteBuffer]
        func makeAsyncIterator() -> Iterator { Iterator(buffers: buffers) }
        struct Iterator: AsyncIteratorProtocol {
            let buffers: [ByteBuffer]
            var index = 0
            mutating func next() async throws -> ByteBuffer? {
                guard index < buffers.count else { return nil }
                index += 1
                return buffers[index - 1]
            }
        }
    }

    static let response = Array(
        #"{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Our return policy allows returns within 30 days of delivery for a full refund, provided the item is unused and in its original packaging. To start a return, open your order in the app, choose the item, and select Return. We will email you a prepaid label. Refunds reach your card within 5 to 7 business days after we receive the item.","tool_calls":null,"prefix":false},"finish_reason":"stop"}],"usage":{"prompt_tokens":412,"completion_tokens":78,"total_tokens":490,"prompt_tokens_details":{"cached_tokens":384}}}"#
            .utf8)

    /// The stream decoded as before the typed fast path: SSE, a `JSONValue` tree per chunk, then
    /// the chunk mapped from the tree (`JSONValueDecoder` hands the tree to the same mapping).
    static func treePathCollect(_ buffers: [ByteBuffer]) throws -> ChatCompletionResponse {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        var accumulator = ChatCompletionAccumulator()
        for buffer in buffers {
            parser.feed(buffer.readableBytesView, into: &events)
            for event in events where event.data != "[DONE]" {
                let tree = try JSONParser.parse(event.data.utf8)
                accumulator.add(try JSONValueDecoder().decode(ChatCompletionChunk.self, from: tree))
            }
            events.removeAll(keepingCapacity: true)
        }
        return accumulator.response
    }

    static func run(report: inout Report) async throws {
        let bytes = stream(chunks: 1000)
        let buffers = buffers(bytes, size: 4096)
        // The stream as MistralKit decodes it, and as it did before the fast path, alternating in
        // rounds so machine noise hits both alike.
        var streamSamples: [Double] = []
        var iteratedSamples: [Double] = []
        var treeSamples: [Double] = []
        for _ in 0..<10 {
            streamSamples += try await measure(runs: 30) {
                let response = try await ChatCompletionStream(body: ResponseBody(Buffers(buffers: buffers))).collect()
                precondition(response.usage?.completionTokens == 1000)
            }
            iteratedSamples += try await measure(runs: 30) {
                var characters = 0
                for try await chunk in ChatCompletionStream(body: ResponseBody(Buffers(buffers: buffers))) {
                    characters += chunk.choices.first?.delta.content?.text.utf8.count ?? 0
                }
                precondition(characters > 1000)
            }
            treeSamples += try await measure(runs: 30) {
                let response = try treePathCollect(buffers)
                precondition(response.usage?.completionTokens == 1000)
            }
        }
        streamSamples.sort()
        iteratedSamples.sort()
        treeSamples.sort()
        report.add(
            "Decode a 1,000-chunk stream (\(bytes.count / 1024) KiB, 4 KiB reads), SSE + JSON + fold",
            median: formatMillis(streamSamples.median), p90: formatMillis(streamSamples.quantile(0.9)),
            note: "\(formatMicros(streamSamples.median / 1000)) per chunk; target < 5 ms")
        report.add(
            "Same stream iterated chunk by chunk (`for try await`), same run", median: formatMillis(iteratedSamples.median),
            p90: formatMillis(iteratedSamples.quantile(0.9)), note: "\(formatMicros(iteratedSamples.median / 1000)) per chunk: each chunk made")
        report.add(
            "Same, tree path (before the typed fast path), same run", median: formatMillis(treeSamples.median),
            p90: formatMillis(treeSamples.quantile(0.9)),
            note: String(format: "fast path: %.2f× faster", treeSamples.median / streamSamples.median))

        let parseSamples = try await measure(runs: 200) {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            for buffer in buffers { parser.feed(buffer.readableBytesView, into: &events) }
            precondition(events.count == 1001)
        }
        let megabytes = Double(bytes.count) / 1_048_576
        report.add(
            "SSE parsing only, same stream", median: formatMillis(parseSamples.median), p90: formatMillis(parseSamples.quantile(0.9)),
            note: String(format: "%.0f MiB/s", megabytes / parseSamples.median))

        let foundationDecoder = JSONDecoder()
        let responseData = Data(response)
        let foundationSamples = try await measure(runs: 2000) {
            _ = try foundationDecoder.decode(ChatCompletionResponse.self, from: responseData)
        }
        let treeResponseSamples = try await measure(runs: 2000) {
            _ = try JSONValueDecoder().decode(ChatCompletionResponse.self, from: try JSONParser.parse(response))
        }
        let decodeSamples = try await measure(runs: 2000) {
            _ = try JSONCoding.decode(ChatCompletionResponse.self, from: response)
        }
        report.add(
            "Decode a chat response (\(response.count) bytes)", median: formatMicros(decodeSamples.median),
            p90: formatMicros(decodeSamples.quantile(0.9)),
            note: "same run: tree path + `Decodable` (before) \(formatMicros(treeResponseSamples.median)), Foundation's JSONDecoder \(formatMicros(foundationSamples.median))")

        // Where a chunk's time goes: the fast path, against parsing then mapping the tree.
        let chunk = Array(#"{"id":"f7983a4bd6cb4d3c9c2e5a1b0c9d8e7f","object":"chat.completion.chunk","created":1732548656,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":" token12"},"finish_reason":null}]}"#.utf8)
        let fastChunk = try await measure(runs: 20000) { _ = try JSONCoding.decode(ChatCompletionChunk.self, from: chunk) }
        let parseChunk = try await measure(runs: 20000) { _ = try JSONParser.parse(chunk) }
        let tree = try JSONParser.parse(chunk)
        let decodeTree = try await measure(runs: 20000) { _ = try JSONValueDecoder().decode(ChatCompletionChunk.self, from: tree) }
        let foundationChunk = try await measure(runs: 20000) { _ = try foundationDecoder.decode(ChatCompletionChunk.self, from: Data(chunk)) }
        report.add(
            "One chunk (\(chunk.count) bytes): fast path / tree path (parse + map)", median: "\(formatMicros(fastChunk.median)) / \(formatMicros(parseChunk.median)) + \(formatMicros(decodeTree.median))",
            p90: "\(formatMicros(fastChunk.quantile(0.9))) / \(formatMicros(parseChunk.quantile(0.9))) + \(formatMicros(decodeTree.quantile(0.9)))",
            note: "Foundation's JSONDecoder: \(formatMicros(foundationChunk.median))")

        // Request bodies: MistralKit's encoder against Foundation's with the same options.
        let request = ChatCompletionRequest(
            model: "mistral-small-latest", messages: [.system("You are a support agent for an online shop."), .user("What is your return policy?")],
            temperature: 0.3, maxTokens: 256)
        let foundationEncoder = JSONEncoder()
        foundationEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = try JSONCoding.encode(request)
        let reference = try foundationEncoder.encode(request)
        precondition(encoded == reference, "the fast encoder must give Foundation's bytes")
        let encodeSamples = try await measure(runs: 5000) { _ = try JSONCoding.encode(request) }
        let foundationEncodeSamples = try await measure(runs: 5000) { _ = try foundationEncoder.encode(request) }
        let counter = EstimatedTokenCounter()
        let estimateSamples = try await measure(runs: 5000) { _ = try counter.promptTokens(for: request) }
        report.add(
            "Encode a chat request (\(encoded.count) bytes, 2 messages)", median: formatMicros(encodeSamples.median),
            p90: formatMicros(encodeSamples.quantile(0.9)),
            note: "same bytes; Foundation's JSONEncoder, same run: \(formatMicros(foundationEncodeSamples.median)); prompt-token estimate: \(formatMicros(estimateSamples.median))")
    }
}
