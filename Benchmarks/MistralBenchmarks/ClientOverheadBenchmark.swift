import AsyncHTTPClient
import Foundation
import MistralEmulator
import MistralKit
import NIOCore
import NIOPosix

/// MistralClient against a bare AsyncHTTPClient call, same emulator, same run, one call of each
/// in turn so machine noise hits both sides alike. The bare call sends the same bytes and reads
/// the whole body without decoding it, over an HTTPClient configured like MistralKit's default
/// transport; the difference is what MistralKit adds (headers, status handling, decoding,
/// logging checks).
enum ClientOverheadBenchmark {
    static let streamedChunks = 200
    static let storyQuestion = "Tell me a long story."

    /// A story whose stream from the emulator is `chunks` chunks long.
    static func story(chunks: Int) -> String {
        let words = "Once upon a time a lighthouse keeper counted the ships that passed his rock".split(separator: " ")
        var text = ""
        var index = 0
        while TokenEstimator.pieces(of: text).count < chunks - 1 {
            text += (text.isEmpty ? "" : " ") + words[index % words.count]
            index += 1
        }
        return text
    }

    static func run(report: inout Report, chatCalls: Int = 3000, streamCalls: Int = 800) async throws {
        try await runInMemory(report: &report)
        // The streamed rows stream exactly `streamedChunks` chunks: the emulator's canned answer
        // to the story request is that many chunks long (a role chunk, then one per piece).
        var configuration = EmulatorConfiguration()
        configuration.cannedAnswers[Self.storyQuestion] = Self.story(chunks: Self.streamedChunks)
        let results = try await MistralEmulator.withRunning(configuration) { baseURL, _ in
            // One HTTPClient, with MistralKit's default transport settings (timeouts,
            // decompression), under all three variants: they share its connection, so they also
            // share its place on the event loops (a client and a server channel on the same
            // thread answer faster than on two), and the difference is MistralKit's own code.
            var settings = HTTPClient.Configuration()
            settings.timeout = .init(connect: .seconds(10), read: .seconds(300))
            settings.decompression = .enabled(limit: .ratio(100))
            let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: settings)
            defer { _ = http.shutdown() }
            let transport = AsyncHTTPClientTransport(client: http)
            let client = MistralClient(
                configuration: .init(apiKey: "bench-key", server: MistralServer(baseURL: baseURL)), transport: transport)
            let chat = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("What is the capital of France?")], maxTokens: 16)
            let stream = ChatCompletionRequest(
                model: "mistral-small-latest", messages: [.user(Self.storyQuestion)], maxTokens: Self.streamedChunks * 2)
            var probeChunks = 0
            for try await _ in try await client.chatStream(stream) { probeChunks += 1 }
            precondition(probeChunks == Self.streamedChunks, "the story streamed \(probeChunks) chunks, not \(Self.streamedChunks)")

            func bare(_ request: ChatCompletionRequest, streaming: Bool) async throws {
                var request = request
                request.stream = streaming
                var outgoing = HTTPClientRequest(url: baseURL + "/v1/chat/completions")
                outgoing.method = .POST
                outgoing.headers.add(name: "Authorization", value: "Bearer bench-key")
                outgoing.headers.add(name: "Content-Type", value: "application/json")
                outgoing.body = .bytes(ByteBuffer(bytes: try JSONCoding.encode(request)))
                let response = try await http.execute(outgoing, timeout: .seconds(30))
                precondition(response.status == .ok)
                _ = try await response.body.collect(upTo: 1 << 24)
            }

            // MistralKit's transport alone, with the request the client prepares (its headers and
            // bytes): splits the difference between the HTTP exchange and the client's own work.
            func transportOnly(_ request: ChatCompletionRequest, streaming: Bool) async throws {
                var request = request
                request.stream = streaming
                let prepared = try client.prepare(.POST, "/v1/chat/completions", body: request, streaming: streaming)
                let response = try await transport.send(prepared, deadline: nil)
                precondition(response.status == 200)
                _ = try await response.body.collect(upTo: 1 << 24)
            }

            // One call of each kind in turn, the order rotating, so that machine noise (other
            // processes, frequency changes) falls on every variant alike.
            var samples = try await interleaved(
                runs: chatCalls, warmup: 20,
                [
                    ("bare chat", { try await bare(chat, streaming: false) }),
                    ("transport chat", { try await transportOnly(chat, streaming: false) }),
                    ("client chat", { _ = try await client.chat(chat) }),
                ])
            samples.merge(
                try await interleaved(
                    runs: streamCalls, warmup: 5,
                    [
                        ("bare stream", { try await bare(stream, streaming: true) }),
                        ("transport stream", { try await transportOnly(stream, streaming: true) }),
                        ("client stream", { _ = try await client.chatStream(stream).collect() }),
                        ("client stream iterated", {
                            var characters = 0
                            for try await chunk in try await client.chatStream(stream) {
                                characters += chunk.choices.first?.delta.content?.text.utf8.count ?? 0
                            }
                            precondition(characters > 0)
                        }),
                    ])
            ) { $1 }
            try await client.shutdown()
            return samples
        }
        for kind in ["chat", "stream"] {
            let bare = results["bare \(kind)"]!.sorted()
            let ours = results["client \(kind)"]!.sorted()
            let overhead = (ours.median / bare.median - 1) * 100
            let paired = pairedOverhead(results["client \(kind)"]!, results["bare \(kind)"]!)
            let label = kind == "chat" ? "chat, JSON (16 tokens)" : "chat, streamed (\(Self.streamedChunks) chunks)"
            let transported = results["transport \(kind)"]!.sorted()
            report.add("Bare AsyncHTTPClient call, \(label)", median: formatMicros(bare.median), p90: formatMicros(bare.quantile(0.9)), note: "\(bare.count) calls")
            report.add(
                "MistralKit's transport alone, same request and headers as the client's", median: formatMicros(transported.median),
                p90: formatMicros(transported.quantile(0.9)), note: String(format: "%+.1f%% vs bare (median)", (transported.median / bare.median - 1) * 100))
            report.add(
                "MistralClient call, \(label)\(kind == "stream" ? ", folded with `collect()`" : "")", median: formatMicros(ours.median),
                p90: formatMicros(ours.quantile(0.9)),
                note: String(format: "%+.1f%% vs bare (medians); call against call in each round: %+.1f%% (median); target < 5%%", overhead, paired))
            if kind == "stream", let iteratedSamples = results["client stream iterated"] {
                let iterated = iteratedSamples.sorted()
                report.add(
                    "MistralClient call, \(label), iterated chunk by chunk", median: formatMicros(iterated.median),
                    p90: formatMicros(iterated.quantile(0.9)),
                    note: String(
                        format: "%+.1f%% vs bare (medians); call against call in each round: %+.1f%% (median)",
                        (iterated.median / bare.median - 1) * 100, pairedOverhead(iteratedSamples, results["bare stream"]!)))
            }
        }
    }
}

/// A transport that answers at once from memory, so a call costs only MistralKit's own work
/// (encoding, pipeline, decoding): the absolute overhead, without the network and the server.
struct InstantTransport: MistralTransport {
    let body: [UInt8]
    let contentType: String

    func send(_ request: HTTPRequestDescription, deadline: ContinuousClock.Instant?) async throws -> HTTPResponseStream {
        HTTPResponseStream(status: 200, headers: ["content-type": contentType, "mistral-correlation-id": "bench"], body: ResponseBody(bytes: body))
    }

    func shutdown() async throws {}
}

extension ClientOverheadBenchmark {
    /// MistralKit's own cost per call, against an in-memory transport.
    static func runInMemory(report: inout Report) async throws {
        let request = ChatCompletionRequest(model: "mistral-small-latest", messages: [.user("What is the capital of France?")], maxTokens: 16)
        let json = MistralClient(
            configuration: .init(apiKey: "bench-key", server: MistralServer(baseURL: "http://127.0.0.1:1")),
            transport: InstantTransport(body: DecodeBenchmarks.response, contentType: "application/json"))
        let jsonSamples = try await measure(runs: 20000, warmup: 100) { _ = try await json.chat(request) }
        report.add(
            "MistralClient call, chat, JSON, in-memory transport (MistralKit's own work)", median: formatMicros(jsonSamples.median),
            p90: formatMicros(jsonSamples.quantile(0.9)), note: "encode + pipeline + decode of the 701-byte response")
        let events = Array(DecodeBenchmarks.stream(chunks: 200))
        let stream = MistralClient(
            configuration: .init(apiKey: "bench-key", server: MistralServer(baseURL: "http://127.0.0.1:1")),
            transport: InstantTransport(body: events, contentType: "text/event-stream"))
        let streamSamples = try await measure(runs: 2000, warmup: 20) { _ = try await stream.chatStream(request).collect() }
        report.add(
            "MistralClient call, chat, streamed (200 chunks), in-memory transport", median: formatMicros(streamSamples.median),
            p90: formatMicros(streamSamples.quantile(0.9)), note: "one 41 KiB buffer; encode + pipeline + SSE + decode + fold")
    }
}
